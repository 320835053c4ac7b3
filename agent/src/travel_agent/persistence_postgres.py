"""The PostgreSQL checkpointer (persistence.open_persistence when DATABASE_URL says so): its
own module, so that a service on SQLite never imports psycopg and its pool."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from .checkpoint_pruning_postgres import PruningPostgresSaver, prune_all_once_postgres
from .persistence import PING_SECONDS, Persistence, saver_options
from .settings import Settings
from .storage_circuit import FailFastPool, StorageCircuit, quiet, watched_check

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
async def open_postgres(settings: Settings) -> AsyncIterator[Persistence]:
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
        saver = PruningPostgresSaver(pool, **saver_options(settings))
        await _migrate_once(pool, saver)
        yield Persistence("postgres", saver, saver.messages, pool=pool, circuit=circuit)
    finally:
        await circuit.stop()
        await pool.close()
