"""The per-thread lock. On PostgreSQL, when its holder is cancelled (a run whose client hangs
up right after the last event is cancelled by the server's cancel scope while it frees the
thread), the thread must be freed and its connection handed back to the pool only once the
unlock has finished, never with the unlock still running on it (the pool would close the
connection under the running query, and under load the event loop then mixed up the dead
connection's file descriptor with new HTTP connections). And a run lets go of its thread
before the client hears that it is over."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
import psycopg
import pytest
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from travel_agent.storage_circuit import FailFastPool, StorageCircuit
from travel_agent.thread_locks import ThreadBusy, ThreadLocks

from pg import temp_database


@pytest.fixture
async def pool() -> AsyncIterator[AsyncConnectionPool[Any]]:
    """The service's kind of pool (it serves a lock holder from the lock's connection)."""
    with temp_database() as url:
        pool = FailFastPool(
            conninfo=url,
            min_size=1,
            max_size=4,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=False,
            timeout=5,
        )
        pool.circuit = StorageCircuit(url, probe_interval=1, probe_timeout=2)
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


@pytest.mark.postgres
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


async def test_the_thread_is_free_when_the_client_hears_the_run_is_over(tmp_path: Any) -> None:
    """A client may act on RUN_FINISHED at once (the ui's approval, an edit): by the time
    that event is sent, the run must have let go of the thread, or the next request can be
    refused as busy (seen with two replicas and a client that answers without pausing)."""
    import json
    import uuid

    from travel_agent.app import create_app

    from agent_kit import PLAN_TEXT, make_settings

    app = create_app(make_settings(tmp_path))
    thread_id = f"t-{uuid.uuid4().hex}"
    body = json.dumps(
        {
            "threadId": thread_id,
            "runId": "run-1",
            "messages": [{"id": "m1", "role": "user", "content": PLAN_TEXT}],
            "state": {},
            "tools": [],
            "context": [],
            "forwardedProps": {},
        }
    ).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/copilotkit",
        "raw_path": b"/copilotkit",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"accept", b"text/event-stream")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    terminal_seen: list[bool] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        chunk = message.get("body", b"")
        if message["type"] == "http.response.body" and b'"RUN_FINISHED"' in chunk:
            # The moment the client gets the news: can the thread be taken right now?
            runtime = app.state.runtime
            try:
                async with runtime.locks.hold(thread_id):
                    terminal_seen.append(True)
            except ThreadBusy:
                terminal_seen.append(False)

    async with app.router.lifespan_context(app):
        await app(scope, receive, send)
    assert terminal_seen == [True]


@pytest.mark.postgres
async def test_a_holder_s_database_work_runs_on_the_lock_s_connection(
    pool: AsyncConnectionPool[Any],
) -> None:
    """A run checks one connection out of the pool: the thread lock's, lent to the run's
    checkpointer and message store one user at a time; a nested use, and any use once the
    thread is freed, gets a connection of the pool's own."""

    async def backend() -> int:
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT pg_backend_pid() AS pid")
            row = await cur.fetchone()
            assert row is not None
            return int(row["pid"])

    locks = ThreadLocks(pool)
    async with locks.hold("thread-lent-1"):
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            )
            holders = {r["pid"] for r in await cur.fetchall()}
            nested = await backend()  # the lent one is in use: the pool's
            assert nested not in holders
        lent = await backend()
        assert holders == {lent}
        # Tasks the run starts share it too, one at a time.
        assert set(await asyncio.gather(*(backend() for _ in range(3)))) == {lent}
    await locks.settle()
    assert await lock_is_free(pool, "thread-lent-1")
    requests = pool.get_stats().get("requests_num", 0)
    await backend()
    assert pool.get_stats().get("requests_num", 0) == requests + 1
