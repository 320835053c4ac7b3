"""The per-thread lock on PostgreSQL when its holder is cancelled: a run whose client hangs up
right after the last event is cancelled by the server's cancel scope while it frees the
thread. The thread must be freed and its connection handed back to the pool only once the
unlock has finished, never with the unlock still running on it (the pool would close the
connection under the running query, and under load the event loop then mixed up the dead
connection's file descriptor with new HTTP connections)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from travel_agent.thread_locks import ThreadBusy, ThreadLocks

from pg import temp_database

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pool() -> AsyncIterator[AsyncConnectionPool[Any]]:
    with temp_database() as url:
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            conninfo=url,
            min_size=1,
            max_size=4,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=False,
            timeout=5,
        )
        await pool.open(wait=True)
        try:
            yield pool
        finally:
            await pool.close()


async def lock_is_free(pool: AsyncConnectionPool[Any], thread_id: str) -> bool:
    """Whether another session can take (and then gives back) the thread's lock."""
    async with await psycopg.AsyncConnection.connect(pool.conninfo, autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (thread_id,)
        )
        row = await cur.fetchone()
        assert row is not None
        if row[0]:
            await conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (thread_id,))
        return bool(row[0])


async def test_a_cancelled_holder_frees_the_thread_and_returns_a_good_connection(
    pool: AsyncConnectionPool[Any], caplog: pytest.LogCaptureFixture
) -> None:
    locks = ThreadLocks(pool)
    with caplog.at_level(logging.WARNING, logger="psycopg.pool"):
        for _ in range(3):
            with anyio.CancelScope() as scope:
                async with locks.hold("thread-cancelled-1"):
                    assert not await lock_is_free(pool, "thread-cancelled-1")
                    scope.cancel()  # as the server does when the client hangs up
            await locks.settle()
            assert await lock_is_free(pool, "thread-cancelled-1")
    assert "closing returned connection" not in caplog.text
    assert pool.get_stats().get("returns_bad", 0) == 0
    # The lock still works as a lock afterwards.
    async with locks.hold("thread-cancelled-1"):
        with pytest.raises(ThreadBusy):
            async with locks.hold("thread-cancelled-1"):
                pass
    await locks.settle()
    assert await lock_is_free(pool, "thread-cancelled-1")
