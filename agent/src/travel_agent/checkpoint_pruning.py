"""Old checkpoints go: a thread keeps its latest checkpoint only (and that one only its
recent messages: the older ones move to storage_messages when it is saved).

Every checkpoint holds the whole conversation, so keeping them all grows a thread's storage
with the square of its length. The latest checkpoint, with its pending writes (a pending
approval lives there), is all that a run, a read or a resume loads; older ones only served
time travel, which this service does not offer.

Each saver prunes the thread it has just saved a checkpoint for; `prune_all_once` prunes
threads written before pruning existed (a migration, recorded so that it runs once).
The PostgreSQL saver is in checkpoint_pruning_postgres, imported only on PostgreSQL.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import aiosqlite
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
)
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from .checkpoint_cache import CachingSerializer, _fresh
from .storage_messages import MessageStore, SqliteMessageStore

log = logging.getLogger(__name__)

MIGRATION = "prune-old-checkpoints-v1"


def _ids(config: RunnableConfig) -> tuple[str, str]:
    configurable = config["configurable"]
    return str(configurable["thread_id"]), str(configurable.get("checkpoint_ns", ""))


def _copy(found: CheckpointTuple) -> CheckpointTuple:
    """The tuple with its own dicts and lists (the values they hold as checkpoint_cache
    shares them: atoms and messages as they are, anything else copied)."""
    return CheckpointTuple(
        _fresh(found.config),
        _fresh(found.checkpoint),
        _fresh(found.metadata),
        _fresh(found.parent_config),
        _fresh(found.pending_writes),
    )


class _KeepsLatest(BaseCheckpointSaver[str]):
    """What both savers do around a save: older messages go to the message store first
    (storage_messages), old checkpoints after (`_prune`)."""

    messages: MessageStore

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        thread_id, ns = _ids(config)
        if ns == "":  # a thread's own conversation (not a subgraph's)
            checkpoint = await self.messages.move_older(thread_id, checkpoint, new_versions)
        saved = await super().aput(config, checkpoint, metadata, new_versions)
        if config["configurable"].get("checkpoint_id") is not None:
            # Saved after another one (its parent): that one goes. A thread's first
            # checkpoint has nothing before it (should a stray one be left, the next save
            # prunes it: it deletes every checkpoint older than the one it keeps).
            await self._prune(thread_id, ns, checkpoint["id"])
        return saved

    async def adelete_thread(self, thread_id: str) -> None:
        await super().adelete_thread(thread_id)
        await self.messages.delete(thread_id)

    async def _prune(self, thread_id: str, ns: str, keep_id: str) -> None:
        raise NotImplementedError


#: Threads whose latest checkpoint the SQLite saver keeps in memory (see LATEST below).
LATEST_KEPT = 256
_NONE = object()  # "the thread has no checkpoint", as kept


class PruningSqliteSaver(_KeepsLatest, AsyncSqliteSaver):
    """AsyncSqliteSaver that deletes a thread's older checkpoints once it saved a new one.

    It also answers a read of a thread's latest checkpoint from memory when it has read it
    since anything was written through it: a run reads the checkpoint its request has just
    read (agui.py, then the graph itself), and the next request reads the one the last run
    ended with. The file is this process's alone (SQLite serves one process; workers need
    PostgreSQL) and every write goes through this saver, which forgets what it kept of
    that thread, and keeps no read that was under way meanwhile. A caller gets its own
    copy of the containers (LangGraph changes a checkpoint's version maps in place)."""

    def __init__(
        self, conn: aiosqlite.Connection, *, serde: CachingSerializer, keep: int, cache_bytes: int
    ) -> None:
        super().__init__(conn, serde=serde)
        self.messages = SqliteMessageStore(conn, self.lock, serde, keep, cache_bytes)
        self._latest: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._writes = 0  # writes begun or ended: a read that saw one under way is not kept

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        if get_checkpoint_id(config):
            return await super().aget_tuple(config)
        key = _ids(config)
        known = self._latest.get(key)
        if known is not None:
            self._latest.move_to_end(key)
            return None if known is _NONE else _copy(known)
        writes = self._writes
        found = await super().aget_tuple(config)
        if writes == self._writes:
            self._latest[key] = _NONE if found is None else _copy(found)
            while len(self._latest) > LATEST_KEPT:
                self._latest.popitem(last=False)
        return found

    def _written(self, thread_id: str, ns: str | None = None) -> None:
        self._writes += 1
        if ns is not None:
            self._latest.pop((thread_id, ns), None)
        else:
            for key in [k for k in self._latest if k[0] == thread_id]:
                del self._latest[key]

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self._written(*_ids(config))
        try:
            return await super().aput(config, checkpoint, metadata, new_versions)
        finally:
            self._written(*_ids(config))

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._written(*_ids(config))
        try:
            await super().aput_writes(config, writes, task_id, task_path)
        finally:
            self._written(*_ids(config))

    async def adelete_thread(self, thread_id: str) -> None:
        self._written(str(thread_id))
        try:
            await super().adelete_thread(thread_id)
        finally:
            self._written(str(thread_id))

    async def setup(self) -> None:
        # AsyncSqliteSaver calls setup() before every read and write (it returns at once
        # when done); the message store's tables are made once, with the saver's.
        if self.is_setup:
            return
        await super().setup()
        await self.messages.setup()

    async def _prune(self, thread_id: str, ns: str, keep_id: str) -> None:
        try:
            await self.prune_before(thread_id, ns, keep_id)
        except aiosqlite.Error:
            log.warning("could not prune old checkpoints", exc_info=True)

    async def prune_before(self, thread_id: str, ns: str, keep_id: str) -> None:
        """Deletes the checkpoints older than `keep_id` (ids sort by time) and their writes;
        a newer one another writer saved meanwhile is never touched."""
        self._written(thread_id, ns)
        try:
            await self._delete_before(thread_id, ns, keep_id)
        finally:
            self._written(thread_id, ns)

    async def _delete_before(self, thread_id: str, ns: str, keep_id: str) -> None:
        async with self.lock:
            args = (thread_id, ns, keep_id)
            await self.conn.execute(
                "DELETE FROM writes"
                " WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?",
                args,
            )
            await self.conn.execute(
                "DELETE FROM checkpoints"
                " WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?",
                args,
            )
            # As the PostgreSQL saver's prune does: no parent that is gone.
            await self.conn.execute(
                "UPDATE checkpoints SET parent_checkpoint_id = NULL"
                " WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?",
                args,
            )
            await self.conn.commit()


async def prune_all_once_sqlite(saver: PruningSqliteSaver) -> int | None:
    """The migration for a SQLite file written before pruning: every thread keeps its
    latest checkpoint, then the file is compacted. Returns the threads pruned, or None
    when the migration had already run."""
    conn = saver.conn
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS travel_storage_migrations"
        " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    async with conn.execute(
        "SELECT 1 FROM travel_storage_migrations WHERE name = ?", (MIGRATION,)
    ) as c:
        if await c.fetchone() is not None:
            return None
    async with conn.execute(
        "SELECT thread_id, checkpoint_ns, MAX(checkpoint_id) FROM checkpoints"
        " GROUP BY thread_id, checkpoint_ns"
    ) as cursor:
        heads = [(str(t), str(ns), str(head)) for t, ns, head in await cursor.fetchall()]
    for thread_id, ns, head in heads:
        await saver.prune_before(thread_id, ns, head)
    await conn.execute("INSERT INTO travel_storage_migrations (name) VALUES (?)", (MIGRATION,))
    await conn.commit()
    if heads:
        await conn.execute("VACUUM")  # give the space back to the file system, once
    log.info("pruned old checkpoints", extra={"threads": len({h[0] for h in heads})})
    return len({h[0] for h in heads})
