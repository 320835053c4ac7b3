"""A thread's older messages, kept out of its checkpoint in an append-only table.

A checkpoint holding the whole conversation made every turn cost more the longer the
conversation: the saver wrote, read and pruned it whole, and LangGraph merged and copied
it. The graph needs only the recent messages (the model's context window, and the current
turn), so when a saver stores a checkpoint it moves the older messages here (whole turns,
once there are half a window of them) and keeps the rest in the checkpoint. `/history`,
MESSAGES_SNAPSHOT and the replayed-history check read both: older messages from here,
then the checkpoint's.

The rows are written before the checkpoint that no longer holds them, so a save that
fails in between leaves a message in both: readers drop the copy (by message id). Threads
saved before this keep their whole list in the checkpoint until their next turn moves
the older part here. The older messages a process has read are kept in memory (they never
change; a row's `seq` only grows), and what a process moves itself it knows without
reading it back: a turn on a thread this process serves reads none of them.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import aiosqlite
from ag_ui.core import Message
from ag_ui_langgraph.utils import langchain_messages_to_agui
from langchain_core.messages import AnyMessage, BaseMessage, HumanMessage
from langgraph.checkpoint.base import ChannelVersions, Checkpoint
from langgraph.checkpoint.serde.base import SerializerProtocol

if TYPE_CHECKING:  # PostgreSQL only: not imported on SQLite
    from psycopg_pool import AsyncConnectionPool

_SQLITE_TABLE = """
CREATE TABLE IF NOT EXISTS travel_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data BLOB NOT NULL
)
"""
_POSTGRES_TABLE = """
CREATE TABLE IF NOT EXISTS travel_messages (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    thread_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    type TEXT NOT NULL,
    data BYTEA NOT NULL
)
"""
# One row per message of a thread (a message moved twice is kept once); also the lookup
# of a thread's rows in order (thread_id, seq) and by id.
_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS travel_messages_id ON travel_messages"
    " (thread_id, message_id)",
    "CREATE INDEX IF NOT EXISTS travel_messages_thread ON travel_messages (thread_id, seq)",
)

Row = tuple[int, str, bytes]  # seq, serde type, serde bytes
_ENTRY_BYTES = 256  # what a thread's entry in the cache costs besides its messages


def split_at(messages: Sequence[BaseMessage], keep: int) -> int:
    """Where the kept messages start: the latest user message that leaves at least `keep`
    messages (a whole turn, never a tool result apart from its call); 0 keeps them all."""
    for i in range(len(messages) - keep, 0, -1):
        if isinstance(messages[i], HumanMessage):
            return i
    return 0


@dataclass
class _Older:
    """What this process knows of a thread's older messages."""

    first: int | None = None  # seq of the thread's first row (another one: the thread was deleted)
    last: int | None = 0  # seq of the last row read (None: not known, read them all again)
    messages: list[AnyMessage] = field(default_factory=list)
    agui: list[Message] = field(default_factory=list)
    by_id: dict[str, AnyMessage] = field(default_factory=dict)
    size: int = _ENTRY_BYTES  # serialised bytes, for the cache's bound
    # The id of the first message after these, in the checkpoint they were read or moved
    # with: while a checkpoint starts there, nothing was moved since (a move cuts later).
    until: str | None = None

    def extended(self, new: list[AnyMessage], size: int, **changes: Any) -> _Older:
        return replace(
            self,
            messages=[*self.messages, *new],
            agui=[*self.agui, *langchain_messages_to_agui(new)],
            by_id={**self.by_id, **{str(m.id): m for m in new}},
            size=self.size + size,
            **changes,
        )


class MessageStore:
    """The older messages of every thread, on the saver's database (see the subclasses)."""

    def __init__(self, serde: SerializerProtocol, keep: int, cache_bytes: int) -> None:
        self.serde = serde
        self.keep = keep
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[str, _Older] = OrderedDict()
        self._cached_bytes = 0

    # -- the database: one implementation per saver

    async def setup(self) -> None:
        raise NotImplementedError

    async def _insert(self, thread_id: str, rows: list[tuple[str, str, str, bytes]]) -> None:
        raise NotImplementedError

    async def _rows(self, thread_id: str, after: int) -> tuple[int | None, list[Row]]:
        """The thread's first seq and its rows after `after`, in order."""
        raise NotImplementedError

    async def _by_ids(self, thread_id: str, ids: list[str]) -> list[tuple[str, bytes]]:
        raise NotImplementedError

    async def _delete(self, thread_id: str) -> None:
        raise NotImplementedError

    # -- what the savers and readers use

    async def move_older(
        self, thread_id: str, checkpoint: Checkpoint, new_versions: ChannelVersions
    ) -> Checkpoint:
        """The checkpoint to save instead of `checkpoint`: its older messages are stored
        here first (only when the save writes the messages channel)."""
        messages = checkpoint["channel_values"].get("messages")
        if "messages" not in new_versions or not isinstance(messages, list):
            return checkpoint
        cut = split_at(messages, self.keep)
        if cut < max(1, self.keep // 2):
            # Moved half a window at a time: one write every few turns, not every turn
            # (the checkpoint holds between `keep` and about 1.5 x `keep` messages).
            return checkpoint
        moved = messages[:cut]
        rows = [(thread_id, str(m.id), *self.serde.dumps_typed(m)) for m in moved]
        await self._insert(thread_id, rows)
        known = self._cache.get(thread_id)
        if known is not None and known.until == str(messages[0].id):
            # Moved right after what is known: known still, without reading it back (the
            # new rows' seq is not: a read needed later reads the thread's rows again).
            size = sum(len(data) for *_, data in rows)
            self._remember(
                thread_id,
                known.extended(moved, size, last=None, until=str(messages[cut].id)),
            )
        kept = checkpoint.copy()
        kept["channel_values"] = {**checkpoint["channel_values"], "messages": messages[cut:]}
        return kept

    async def find(
        self, thread_id: str, ids: Sequence[str], recent: Sequence[AnyMessage]
    ) -> list[AnyMessage]:
        """The thread's older messages with these ids, before `recent` (the checkpoint's):
        the replay check asks for the ids a client sent, so it costs what the client sent,
        not what is stored (and nothing when this process knows the thread)."""
        wanted = {i for i in ids if i}
        if not wanted or not recent:
            # No ids, or a checkpoint with no messages (a new thread): nothing was moved
            # here from it (a move leaves at least `keep` messages in the checkpoint).
            return []
        known = self._cache.get(thread_id)
        if known is not None and recent and known.until == str(recent[0].id):
            return [found for i in wanted if (found := known.by_id.get(i)) is not None]
        rows = await self._by_ids(thread_id, sorted(wanted))
        return [self.serde.loads_typed(row) for row in rows]

    def starts(self, thread_id: str, first_id: str) -> None:
        """A thread whose checkpoint held no messages gets its first one, `first_id`
        (call holding the thread's lock): it has no older messages, and while its
        checkpoint starts with that message none were moved since, so the run's
        MESSAGES_SNAPSHOT reads none (on a wrong id the next read only misses)."""
        self._remember(thread_id, _Older(until=first_id))

    async def conversation(self, thread_id: str, recent: Sequence[AnyMessage]) -> list[AnyMessage]:
        """The whole conversation: older messages, then `recent` (the checkpoint's)."""
        older = await self._older(thread_id, recent)
        return _joined(older, older.messages, list(recent))

    async def conversation_agui(self, thread_id: str, recent: Sequence[Message]) -> list[Message]:
        """The same as AG-UI messages (`recent` already converted, as in MESSAGES_SNAPSHOT)."""
        older = await self._older(thread_id, recent)
        return _joined(older, older.agui, list(recent))

    async def delete(self, thread_id: str) -> None:
        await self._delete(thread_id)
        self._forget(thread_id)

    async def _older(self, thread_id: str, recent: Sequence[Any]) -> _Older:
        until = str(recent[0].id) if recent else None
        known = self._cache.get(thread_id)
        if known is not None and until is not None and known.until == until:
            self._cache.move_to_end(thread_id)
            return known
        if known is None or known.last is None:
            known = _Older()
        first, rows = await self._rows(thread_id, known.last or 0)
        if first != known.first and known.first is not None:  # deleted since: read anew
            known = _Older()
            first, rows = await self._rows(thread_id, 0)
        known = known.extended(
            [self.serde.loads_typed((kind, data)) for _, kind, data in rows],
            sum(len(data) for *_, data in rows),
            first=first,
            last=rows[-1][0] if rows else known.last,
            until=until,
        )
        self._remember(thread_id, known)
        return known

    def _remember(self, thread_id: str, older: _Older) -> None:
        self._forget(thread_id)
        if older.size > self.cache_bytes:
            return
        self._cache[thread_id] = older
        self._cached_bytes += older.size
        while self._cached_bytes > self.cache_bytes:
            _, gone = self._cache.popitem(last=False)
            self._cached_bytes -= gone.size

    def _forget(self, thread_id: str) -> None:
        gone = self._cache.pop(thread_id, None)
        if gone is not None:
            self._cached_bytes -= gone.size


def _joined(known: _Older, older: list[Any], recent: list[Any]) -> list[Any]:
    """`older` (messages or their AG-UI form, as `known` holds them), then `recent`, each
    message once (a message in both is one whose save failed after it was moved)."""
    in_recent = {str(m.id) for m in recent}
    if in_recent.isdisjoint(known.by_id):
        return [*older, *recent]
    return [*(m for m in older if str(m.id) not in in_recent), *recent]


class SqliteMessageStore(MessageStore):
    def __init__(
        self,
        conn: aiosqlite.Connection,
        lock: asyncio.Lock,
        serde: SerializerProtocol,
        keep: int,
        cache_bytes: int,
    ) -> None:
        super().__init__(serde, keep, cache_bytes)
        self.conn = conn
        self.lock = lock  # the saver's: one statement sequence at a time on its connection

    async def setup(self) -> None:
        async with self.lock:
            for statement in (_SQLITE_TABLE, *_INDEXES):
                await self.conn.execute(statement)
            await self.conn.commit()

    async def _insert(self, thread_id: str, rows: list[tuple[str, str, str, bytes]]) -> None:
        async with self.lock:
            await self.conn.executemany(
                "INSERT OR IGNORE INTO travel_messages (thread_id, message_id, type, data)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
            await self.conn.commit()

    # Reads use `execute_fetchall`: one hand-off to the connection's thread per query,
    # instead of one each for execute, fetch and close.

    async def _rows(self, thread_id: str, after: int) -> tuple[int | None, list[Row]]:
        async with self.lock:
            (found,) = await self.conn.execute_fetchall(
                "SELECT MIN(seq) FROM travel_messages WHERE thread_id = ?", (thread_id,)
            )
            stored = await self.conn.execute_fetchall(
                "SELECT seq, type, data FROM travel_messages WHERE thread_id = ? AND seq > ?"
                " ORDER BY seq",
                (thread_id, after),
            )
        rows = [(int(s), str(t), bytes(d)) for s, t, d in stored]
        return (None if found[0] is None else int(found[0])), rows

    async def _by_ids(self, thread_id: str, ids: list[str]) -> list[tuple[str, bytes]]:
        marks = ", ".join("?" * len(ids))
        async with self.lock:
            found = await self.conn.execute_fetchall(
                f"SELECT type, data FROM travel_messages WHERE thread_id = ?"  # noqa: S608
                f" AND message_id IN ({marks})",
                (thread_id, *ids),
            )
        return [(str(t), bytes(d)) for t, d in found]

    async def _delete(self, thread_id: str) -> None:
        async with self.lock:
            await self.conn.execute("DELETE FROM travel_messages WHERE thread_id = ?", (thread_id,))
            await self.conn.commit()


class PostgresMessageStore(MessageStore):
    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        serde: SerializerProtocol,
        keep: int,
        cache_bytes: int,
    ) -> None:
        super().__init__(serde, keep, cache_bytes)
        self.pool = pool  # rows as dicts, autocommit (the service's pool)

    async def setup(self) -> None:
        # Called under the migration lock (persistence_postgres._migrate_once): one replica
        # at a time.
        async with self.pool.connection() as conn:
            for statement in (_POSTGRES_TABLE, *_INDEXES):
                await conn.execute(statement)

    async def _insert(self, thread_id: str, rows: list[tuple[str, str, str, bytes]]) -> None:
        # One statement (one round trip, atomic), the rows in the conversation's order.
        _, ids, kinds, blobs = zip(*rows, strict=True)
        async with self.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO travel_messages (thread_id, message_id, type, data)"
                " SELECT %s, m.id, m.type, m.data"
                " FROM unnest(%s::text[], %s::text[], %s::bytea[]) WITH ORDINALITY"
                " AS m(id, type, data, n) ORDER BY m.n"
                " ON CONFLICT (thread_id, message_id) DO NOTHING",
                (thread_id, list(ids), list(kinds), list(blobs)),
            )

    async def _rows(self, thread_id: str, after: int) -> tuple[int | None, list[Row]]:
        # One round trip, also for a thread with no rows after `after` (then one row of
        # NULLs but `first`).
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT f.first, m.seq, m.type, m.data"
                " FROM (SELECT MIN(seq) AS first FROM travel_messages WHERE thread_id = %s) f"
                " LEFT JOIN LATERAL (SELECT seq, type, data FROM travel_messages"
                " WHERE thread_id = %s AND seq > %s) m ON true ORDER BY m.seq",
                (thread_id, thread_id, after),
            )
            found = await cur.fetchall()
        first = found[0]["first"] if found else None
        rows = [
            (int(r["seq"]), str(r["type"]), bytes(r["data"])) for r in found if r["seq"] is not None
        ]
        return (None if first is None else int(first)), rows

    async def _by_ids(self, thread_id: str, ids: list[str]) -> list[tuple[str, bytes]]:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT type, data FROM travel_messages"
                " WHERE thread_id = %s AND message_id = ANY(%s)",
                (thread_id, ids),
            )
            return [(str(r["type"]), bytes(r["data"])) for r in await cur.fetchall()]

    async def _delete(self, thread_id: str) -> None:
        async with self.pool.connection() as conn:
            await conn.execute("DELETE FROM travel_messages WHERE thread_id = %s", (thread_id,))
