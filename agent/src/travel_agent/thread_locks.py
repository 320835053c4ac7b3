"""One run (or manual edit) per thread at a time, across every replica.

In one process a set of held threads answers at once; with PostgreSQL a session advisory
lock extends that to all replicas, and the server frees it by itself if a replica dies.
The lock's connection is lent to the holder's other database work (`storage_circuit.lend`):
a run checks one connection out of the pool, not one per statement group.
A holder may wait a bounded time for the thread (manual edits do: two tabs editing at once
both land); chat runs do not wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # PostgreSQL only: imported when a pool is given (not on SQLite)
    from psycopg_pool import AsyncConnectionPool

    from .storage_circuit import RunConnection


class ThreadBusy(Exception):
    """Another run or edit holds this thread."""


class LockUnavailable(Exception):
    """The database that keeps the locks did not answer (it is down or overloaded)."""


#: Pauses between tries while waiting for a thread: short at first, then capped (a poll
#: across replicas; each try hands its connection back so waiters never starve the pool).
_FIRST_PAUSE = 0.01
_MAX_PAUSE = 0.1


class ThreadLocks:
    def __init__(self, pool: AsyncConnectionPool[Any] | None = None) -> None:
        self._pool = pool
        self._held: set[str] = set()
        self._releasing: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def hold(self, thread_id: str, *, wait: float = 0.0) -> AsyncIterator[None]:
        """Hold the thread for the duration of the block. When another holds it, try again
        for up to `wait` seconds, then raise ThreadBusy."""
        deadline = time.monotonic() + wait
        pause = _FIRST_PAUSE
        async with contextlib.AsyncExitStack() as stack:
            while True:
                try:
                    await stack.enter_async_context(self._hold_now(thread_id))
                    break
                except ThreadBusy:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise
                    await asyncio.sleep(min(left, pause * random.uniform(0.5, 1.5)))
                    pause = min(pause * 2, _MAX_PAUSE)
            yield

    @contextlib.asynccontextmanager
    async def _hold_now(self, thread_id: str) -> AsyncIterator[None]:
        """Hold the thread for the duration of the block, or raise ThreadBusy at once."""
        if thread_id in self._held:
            raise ThreadBusy(thread_id)
        self._held.add(thread_id)
        if self._pool is None:
            try:
                yield
            finally:
                self._held.discard(thread_id)
            return
        try:
            conn = await self._pool.getconn()
        except BaseException as exc:
            self._held.discard(thread_id)
            if isinstance(exc, Exception):
                raise LockUnavailable(thread_id) from exc
            raise
        locked = False
        try:
            cur = await conn.execute(
                "SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS ok", (thread_id,)
            )
            row = await cur.fetchone()
            locked = bool(row and row["ok"])
        except Exception as exc:
            await self._release(conn, thread_id, locked=False)
            raise LockUnavailable(thread_id) from exc
        except BaseException:
            await self._release(conn, thread_id, locked=False)
            raise
        if not locked:
            await self._release(conn, thread_id, locked=False)
            raise ThreadBusy(thread_id)
        from .storage_circuit import lend, lent_connection

        lent, token = lend(self._pool, conn)
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):  # ended in another context: it ends with it
                lent_connection.reset(token)
            await self._release(conn, thread_id, locked=True, lent=lent)

    async def _release(
        self, conn: Any, thread_id: str, *, locked: bool, lent: RunConnection | None = None
    ) -> None:
        """Unlocks, then hands the connection back, in a task of its own: a holder that is
        cancelled meanwhile (anyio cancels every await of a cancelled scope) must not give
        the connection back to the pool while the unlock still runs on it."""
        from .storage_circuit import take_back

        assert self._pool is not None
        pool = self._pool

        async def release() -> None:
            try:
                if lent is not None:  # its user, if any, finishes first
                    await take_back(lent)
                if locked:
                    with contextlib.suppress(Exception):  # a broken connection frees it anyway
                        await conn.execute(
                            "SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (thread_id,)
                        )
            finally:
                self._held.discard(thread_id)
                await pool.putconn(conn)

        task = asyncio.ensure_future(release())
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)
        await asyncio.shield(task)

    async def settle(self) -> None:
        """Waits until every release in flight has finished (shutdown, tests)."""
        while self._releasing:
            await asyncio.gather(*self._releasing, return_exceptions=True)
