"""One run (or manual edit) per thread at a time, across every replica.

In one process an asyncio lock answers at once; with PostgreSQL a session advisory lock
extends that to all replicas, and the server frees it by itself if a replica dies.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from psycopg_pool import AsyncConnectionPool


class ThreadBusy(Exception):
    """Another run or edit holds this thread."""


class LockUnavailable(Exception):
    """The database that keeps the locks did not answer (it is down or overloaded)."""


class ThreadLocks:
    def __init__(self, pool: AsyncConnectionPool[Any] | None = None) -> None:
        self._pool = pool
        self._held: set[str] = set()

    @contextlib.asynccontextmanager
    async def hold(self, thread_id: str) -> AsyncIterator[None]:
        """Hold the thread for the duration of the block, or raise ThreadBusy at once."""
        if thread_id in self._held:
            raise ThreadBusy(thread_id)
        self._held.add(thread_id)
        try:
            if self._pool is None:
                yield
                return
            async with contextlib.AsyncExitStack() as stack:
                try:
                    conn = await stack.enter_async_context(self._pool.connection())
                    cur = await conn.execute(
                        "SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS ok", (thread_id,)
                    )
                    row = await cur.fetchone()
                except Exception as exc:
                    raise LockUnavailable(thread_id) from exc
                if not row or not row["ok"]:
                    raise ThreadBusy(thread_id)
                try:
                    yield
                finally:
                    with contextlib.suppress(Exception):  # a dead connection frees it anyway
                        await asyncio.shield(
                            conn.execute(
                                "SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (thread_id,)
                            )
                        )
        finally:
            self._held.discard(thread_id)
