"""The LangGraph checkpointer: a SQLite file by default, PostgreSQL when DATABASE_URL says so
(persistence_postgres: imported only then, so that SQLite never loads psycopg)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver

from .checkpoint_cache import CachingSerializer
from .checkpoint_pruning import PruningSqliteSaver, prune_all_once_sqlite
from .settings import Settings
from .storage_messages import MessageStore

if TYPE_CHECKING:  # PostgreSQL only: persistence_postgres imports them when it is used
    from psycopg_pool import AsyncConnectionPool

    from .storage_circuit import StorageCircuit

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
        from psycopg import OperationalError  # loaded with the pool already

        for attempt in range(2):
            async with pool.connection(timeout=PING_SECONDS) as conn:
                try:
                    await conn.execute("SELECT 1")
                    return
                except OperationalError:
                    if attempt or not conn.broken:
                        raise


def saver_options(settings: Settings) -> dict[str, Any]:
    # A checkpoint keeps the messages the model may see (storage_messages keeps the rest).
    return {
        "serde": CachingSerializer(settings.checkpoint_cache_bytes),
        "keep": settings.max_context_messages,
        "cache_bytes": settings.message_cache_bytes,
    }


@asynccontextmanager
async def open_persistence(settings: Settings) -> AsyncIterator[Persistence]:
    if settings.checkpointer_kind == "postgres":
        from .persistence_postgres import open_postgres

        async with open_postgres(settings) as persistence:
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
            saver_sqlite = PruningSqliteSaver(conn, **saver_options(settings))
            await saver_sqlite.setup()
            await prune_all_once_sqlite(saver_sqlite)
            yield Persistence("sqlite", saver_sqlite, saver_sqlite.messages, sqlite=conn)
        finally:
            await conn.close()
