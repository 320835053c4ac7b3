"""The LangGraph checkpointer: a SQLite file by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite
import psycopg
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from .checkpoint_cache import CachingSerializer
from .checkpoint_pruning import (
    PruningPostgresSaver,
    PruningSqliteSaver,
    prune_all_once_postgres,
    prune_all_once_sqlite,
)
from .settings import Settings
from .storage_circuit import FailFastPool, StorageCircuit, quiet, watched_check
from .storage_messages import MessageStore

log = logging.getLogger(__name__)
PING_SECONDS = 2.0


@dataclass
class Persistence:
    kind: str
    saver: BaseCheckpointSaver[Any]
    #: A thread's older messages, out of its checkpoint (the saver writes them).
    messages: MessageStore
    pool: AsyncConnectionPool[Any] | None = None
    sqlite: aiosqlite.Connection | None = None
    circuit: StorageCircuit | None = None

    @property
    def down_since(self) -> datetime | None:
        """Since when the database is known to be down (PostgreSQL), else None."""
        return self.circuit.down_since if self.circuit is not None else None

    async def ping(self) -> bool:
        """Whether the database answers within PING_SECONDS (used by /readyz); False at
        once while it is known to be down."""
        if self.down_since is not None:
            return False
        try:
            async with asyncio.timeout(PING_SECONDS):
                if self.pool is not None:
                    await self._ping_pool(self.pool)
                elif self.sqlite is not None:
                    await self.sqlite.execute("SELECT 1")
            return True
        except Exception as exc:  # any failure means "not ready"; the detail goes to the log
            log.warning("checkpointer ping failed", extra={"error": repr(exc)})
            if self.circuit is not None:
                self.circuit.suspect()
            return False

    @staticmethod
    async def _ping_pool(pool: AsyncConnectionPool[Any]) -> None:
        """SELECT 1 on a pooled connection; once more on another if that one turns out to
        have been dropped by the server just now (not yet visible at checkout, see
        `cheap_check`): the pool discards it, and the database itself may be fine."""
        for attempt in range(2):
            async with pool.connection(timeout=PING_SECONDS) as conn:
                try:
                    await conn.execute("SELECT 1")
                    return
                except psycopg.OperationalError:
                    if attempt or not conn.broken:
                        raise


# Any fixed number: the key of the advisory lock the replicas migrate under.
MIGRATION_LOCK_KEY = 0x7472_6176_656C  # "travel"
MIGRATION_WAIT_SECONDS = 120


async def _migrate_once(pool: AsyncConnectionPool[Any], saver: AsyncPostgresSaver) -> None:
    """Create or upgrade the checkpoint tables, one replica at a time: replicas that start
    together on a new database would otherwise deadlock in the same migration.

    The others poll with pg_try_advisory_lock rather than wait in pg_advisory_lock: a
    waiting statement is an open transaction, and the migration's CREATE INDEX
    CONCURRENTLY waits for every open transaction, which would deadlock again."""
    async with pool.connection() as conn:
        for _ in range(int(MIGRATION_WAIT_SECONDS / 0.2)):
            cur = await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (MIGRATION_LOCK_KEY,))
            row = await cur.fetchone()
            if row and row["ok"]:
                break
            await asyncio.sleep(0.2)
        else:
            raise TimeoutError("another replica has been migrating the database for too long")
        try:
            await saver.setup()
            await prune_all_once_postgres(conn, saver)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))


def _saver_options(settings: Settings) -> dict[str, Any]:
    # A checkpoint keeps the messages the model may see (storage_messages keeps the rest).
    return {
        "serde": CachingSerializer(settings.checkpoint_cache_bytes),
        "keep": settings.max_context_messages,
        "cache_bytes": settings.message_cache_bytes,
    }


@asynccontextmanager
async def open_persistence(settings: Settings) -> AsyncIterator[Persistence]:
    if settings.checkpointer_kind == "postgres":
        async with _open_postgres(settings) as persistence:
            yield persistence
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = settings.data_dir / "travel.sqlite"
        conn = await aiosqlite.connect(path)
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            # SQLite's advice for WAL: no fsync per commit (one at each WAL checkpoint). A
            # process that crashes loses nothing committed; a power cut may lose the last
            # commits, never the file. An fsync per commit was about 0.15 ms CPU each.
            await conn.execute("PRAGMA synchronous=NORMAL")
            saver_sqlite = PruningSqliteSaver(conn, **_saver_options(settings))
            await saver_sqlite.setup()
            await prune_all_once_sqlite(saver_sqlite)
            yield Persistence("sqlite", saver_sqlite, saver_sqlite.messages, sqlite=conn)
        finally:
            await conn.close()


STARTUP_WAIT_SECONDS = 30.0


def cheap_check(circuit: StorageCircuit) -> Any:
    """The pool's check on checkout, without a round trip for a quiet connection: the
    round trip on every checkout was a tenth of a turn's CPU. Any other connection gets
    the full check (an empty query), which tells the circuit when it fails."""
    full = watched_check(circuit)

    async def check(conn: psycopg.AsyncConnection[Any]) -> None:
        if not quiet(conn):
            await full(conn)

    return check


@asynccontextmanager
async def _open_postgres(settings: Settings) -> AsyncIterator[Persistence]:
    assert settings.database_url is not None
    url = settings.database_url.get_secret_value()
    circuit = StorageCircuit(
        url, probe_interval=settings.db_probe_interval_seconds, probe_timeout=PING_SECONDS
    )
    # A database that is still starting: wait for it as long as before (the pool itself
    # now gives up reconnecting after db_reconnect_timeout_seconds).
    for _ in range(int(STARTUP_WAIT_SECONDS / 0.5)):
        if await circuit.reachable():
            break
        await asyncio.sleep(0.5)
    # Checked pool: a connection the server dropped is replaced, not handed out.
    # Its reconnection gives up soon, so that no attempt scheduled with a long backoff
    # delays the return of a database that was down; the circuit asks again.
    pool = FailFastPool(
        conninfo=url,
        min_size=settings.db_pool_min_size,
        max_size=settings.db_pool_max_size,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        check=cheap_check(circuit),
        open=False,
        timeout=settings.db_pool_timeout_seconds,
        reconnect_timeout=settings.db_reconnect_timeout_seconds,
        reconnect_failed=lambda _pool: circuit.suspect(),
    )
    pool.circuit = circuit
    await pool.open(wait=True, timeout=STARTUP_WAIT_SECONDS)
    circuit.start()
    try:
        saver = PruningPostgresSaver(pool, **_saver_options(settings))
        await _migrate_once(pool, saver)
        yield Persistence("postgres", saver, saver.messages, pool=pool, circuit=circuit)
    finally:
        await circuit.stop()
        await pool.close()
