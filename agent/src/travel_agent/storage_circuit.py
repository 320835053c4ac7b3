"""Whether PostgreSQL is known to be down, and a pool that fails fast while it is.

psycopg_pool alone makes every request wait its full timeout while the database is down,
and retries with a backoff that doubles up to a minute, so the service is ready long after
the database is back. Here a failed connection check, a pool timeout or a given-up
reconnection makes the circuit look at the database with a fresh connection; when that
fails, the database is "down since" then, requests are refused at once (also those already
waiting for a connection), and the circuit looks again every `probe_interval` until a
connection works. The pool's own reconnection gives up after `reconnect_timeout` (see
open_persistence), so no attempt scheduled long ago delays the return.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import select
import time
from collections.abc import AsyncIterator
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import pq
from psycopg_pool import AsyncConnectionPool, PoolTimeout

log = logging.getLogger(__name__)


class StorageDown(PoolTimeout):
    """Refused without trying: the database is known to be down."""


class StorageCircuit:
    def __init__(self, conninfo: str, *, probe_interval: float, probe_timeout: float) -> None:
        self._conninfo = conninfo
        self.probe_interval = probe_interval
        self.probe_timeout = probe_timeout
        self.down_since: datetime | None = None
        self._down_at = 0.0  # monotonic, for the log
        self._suspect = asyncio.Event()
        self._opened = asyncio.Event()  # set while down
        self._task: asyncio.Task[None] | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="storage-circuit")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def suspect(self) -> None:
        """Something failed on a connection: look at the database now."""
        self._suspect.set()

    async def until_down(self) -> None:
        await self._opened.wait()

    async def reachable(self) -> bool:
        """Whether a fresh connection to the database works within probe_timeout."""
        try:
            async with asyncio.timeout(self.probe_timeout):
                conn = await psycopg.AsyncConnection.connect(
                    self._conninfo,
                    autocommit=True,
                    connect_timeout=max(2, round(self.probe_timeout)),
                )
                async with conn:
                    await conn.execute("SELECT 1")
            return True
        except (OSError, TimeoutError, psycopg.Error) as exc:
            log.debug("database probe failed", extra={"error": repr(exc)})
            return False

    async def _watch(self) -> None:
        while True:
            if self.down:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._suspect.wait(), self.probe_interval)
            else:
                await self._suspect.wait()
            self._suspect.clear()
            ok = await self.reachable()
            if ok and self.down:
                log.warning(
                    "database is back",
                    extra={"down_seconds": round(time.monotonic() - self._down_at, 1)},
                )
                self.down_since = None
                self._opened.clear()
            elif not ok and not self.down:
                log.error("database is down: requests are refused until it answers again")
                self.down_since = datetime.now(UTC)
                self._down_at = time.monotonic()
                self._opened.set()


def quiet(conn: psycopg.AsyncConnection[Any]) -> bool:
    """Whether a pooled connection is as the server left it: open, idle, and with nothing
    waiting on its socket. A server that drops a connection (a failover, an idle timeout,
    pg_terminate_backend) sends an error and closes it, which makes the socket readable;
    so does anything else the server sent meanwhile."""
    if conn.closed or conn.broken or conn.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        poller = select.poll()
        poller.register(conn.pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except (OSError, ValueError, psycopg.Error):
        return False


@dataclass(eq=False)
class RunConnection:
    """The connection a run holds for its thread lock, lent to the run's other work on the
    database (the checkpointer's, the message store's): one pool checkout per run instead
    of one per statement group. One user at a time; a connection that a user left other
    than idle is not lent again (the pool serves the rest of the run)."""

    pool: AsyncConnectionPool[Any]
    conn: Any
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    user: asyncio.Task[Any] | None = None
    usable: bool = True


lent_connection: ContextVar[RunConnection | None] = ContextVar("run_connection", default=None)


def lend(pool: AsyncConnectionPool[Any], conn: Any) -> tuple[RunConnection, Token[Any]]:
    """From now on in this context (the run's tasks copy it), `pool.connection()` of a
    FailFastPool hands out `conn` when it is free; `take_back` ends that."""
    lent = RunConnection(pool, conn)
    return lent, lent_connection.set(lent)


async def take_back(lent: RunConnection) -> None:
    """Waits for the connection's current user, then lends it no more."""
    async with lent.lock:
        lent.usable = False


class FailFastPool(AsyncConnectionPool[Any]):
    """A pool that refuses at once while its circuit says the database is down, and that
    serves a run from the connection the run holds (`lend`)."""

    circuit: StorageCircuit

    @contextlib.asynccontextmanager
    async def connection(self, timeout: float | None = None) -> AsyncIterator[Any]:  # noqa: ASYNC109 (the pool's)
        lent = lent_connection.get()
        task = asyncio.current_task()
        if lent is not None and lent.usable and lent.pool is self and lent.user is not task:
            async with lent.lock:
                if lent.usable and quiet(lent.conn):
                    lent.user = task
                    try:
                        async with lent.conn:  # commits or rolls back as the pool's does
                            yield lent.conn
                    finally:
                        lent.user = None
                        if not quiet(lent.conn):
                            lent.usable = False
                    return
                lent.usable = False
        async with super().connection(timeout) as conn:
            yield conn

    async def getconn(self, timeout: float | None = None) -> Any:  # noqa: ASYNC109 (the pool's)
        if self.circuit.down:
            raise StorageDown("the database is down")
        getting = asyncio.ensure_future(super().getconn(timeout))
        opened = asyncio.ensure_future(self.circuit.until_down())
        try:
            await asyncio.wait({getting, opened}, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            await self._abandon(getting)
            raise
        finally:
            opened.cancel()
        if getting.done():
            try:
                return getting.result()
            except PoolTimeout:
                self.circuit.suspect()
                raise
        await self._abandon(getting)
        raise StorageDown("the database went down")

    async def putconn(self, conn: Any) -> None:
        if conn.broken or conn.closed:  # it died in use: maybe the database did
            self.circuit.suspect()
        await super().putconn(conn)

    async def _abandon(self, getting: asyncio.Future[Any]) -> None:
        """Stops waiting for a connection; one handed over meanwhile goes back."""
        getting.cancel()
        try:
            conn = await getting
        except BaseException:  # cancelled, or failed: nothing to give back
            return
        await self.putconn(conn)


def watched_check(circuit: StorageCircuit) -> Any:
    """The pool's connection check, telling the circuit when a connection is broken."""

    async def check(conn: Any) -> None:
        try:
            await AsyncConnectionPool.check_connection(conn)
        except Exception:
            circuit.suspect()
            raise

    return check
