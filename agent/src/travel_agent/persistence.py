"""The LangGraph checkpointer: a SQLite file by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiosqlite
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from .settings import Settings

log = logging.getLogger(__name__)
PING_SECONDS = 2.0


@dataclass
class Persistence:
    kind: str
    saver: BaseCheckpointSaver[Any]
    pool: AsyncConnectionPool[Any] | None = None
    sqlite: aiosqlite.Connection | None = None

    async def ping(self) -> bool:
        """Whether the database answers within PING_SECONDS (used by /readyz)."""
        try:
            async with asyncio.timeout(PING_SECONDS):
                if self.pool is not None:
                    async with self.pool.connection(timeout=PING_SECONDS) as conn:
                        await conn.execute("SELECT 1")
                elif self.sqlite is not None:
                    await self.sqlite.execute("SELECT 1")
            return True
        except Exception as exc:  # any failure means "not ready"; the detail goes to the log
            log.warning("checkpointer ping failed", extra={"error": repr(exc)})
            return False


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
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))


@asynccontextmanager
async def open_persistence(settings: Settings) -> AsyncIterator[Persistence]:
    if settings.checkpointer_kind == "postgres":
        assert settings.database_url is not None
        url = settings.database_url.get_secret_value()
        # Health-checked pool: a connection the server dropped is replaced, not handed out.
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            conninfo=url,
            min_size=settings.db_pool_min_size,
            max_size=settings.db_pool_max_size,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            check=AsyncConnectionPool.check_connection,
            open=False,
            timeout=settings.db_pool_timeout_seconds,
        )
        await pool.open(wait=True, timeout=30)
        try:
            saver = AsyncPostgresSaver(pool)
            await _migrate_once(pool, saver)
            yield Persistence("postgres", saver, pool=pool)
        finally:
            await pool.close()
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path = settings.data_dir / "travel.sqlite"
        conn = await aiosqlite.connect(path)
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            saver_sqlite = AsyncSqliteSaver(conn)
            await saver_sqlite.setup()
            yield Persistence("sqlite", saver_sqlite, sqlite=conn)
        finally:
            await conn.close()
