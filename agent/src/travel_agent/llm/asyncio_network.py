"""The network under the model's HTTP client: sockets read through an asyncio protocol
instead of anyio streams.

The SDK's httpx2 client reads a streamed answer one socket read per chunk the server
sends (at a low load, every few tokens). Through httpcore2's default backend
(`AnyIOBackend`) each read costs anyio's machinery around one `recv`: a cancel scope for
the read timeout (`anyio.fail_after`, a task and loop lookup each time), a resource guard,
and the transport's reading resumed and paused again (two `epoll_ctl` calls) around every
wait. `AsyncioBackend` implements httpcore2's public network-backend interface
(`AsyncNetworkBackend`, what `AsyncConnectionPool(network_backend=...)` takes; httpx2's
transport does not pass one on, see `AsyncioTransport`): a plain `asyncio.Protocol` keeps reading
into a buffer (paused only when the buffer is full, as asyncio's own streams do), a read
takes what is buffered or waits on one future, and its timeout is one timer handle. The
HTTP/1.1 parsing, the pool, retries, errors and TLS (`loop.start_tls`, the same SSL
context) stay httpcore2's and asyncio's; errors map to the same httpcore2 exceptions as
its anyio backend raises (`ReadTimeout`, `ReadError`, `WriteError`, `ConnectTimeout`,
`ConnectError`), which httpx2 and the SDK turn into theirs.
"""

from __future__ import annotations

import asyncio
import select
import ssl
from collections import deque
from collections.abc import Iterable
from typing import Any, cast

import httpcore2
import httpx2
from httpcore2 import (
    AsyncNetworkBackend,
    AsyncNetworkStream,
    ConnectError,
    ConnectTimeout,
    ReadError,
    ReadTimeout,
    WriteError,
    WriteTimeout,
)

# Buffered and not yet read: above this the socket is not read until the reader catches up.
HIGH_WATER = 256 * 1024

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class _Protocol(asyncio.Protocol):
    """Buffers what the socket receives and wakes the one reader waiting for it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.eof = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self._paused_reading = False
        self._drained: asyncio.Future[None] | None = None
        self._paused_writing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio's; they have the same methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > HIGH_WATER and not self._paused_reading and self.transport:
            self._paused_reading = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        if exc is not None and self.error is None:
            self.error = exc
        self._wake()
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def take(self, max_bytes: int) -> bytes:
        data = self.chunks.popleft()
        if len(data) > max_bytes:
            self.chunks.appendleft(data[max_bytes:])
            data = data[:max_bytes]
        self.buffered -= len(data)
        if self._paused_reading and self.buffered <= HIGH_WATER // 4 and self.transport:
            self._paused_reading = False
            self.transport.resume_reading()
        return data

    async def drain(self) -> None:
        if self._paused_writing and not self.eof:
            self._drained = self._loop.create_future()
            await self._drained


def _readable(fd: int) -> bool:
    """Whether a read on `fd` would not block (data, or the peer's end)."""
    if hasattr(select, "poll"):  # not limited to descriptors below FD_SETSIZE
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    readable, _, _ = select.select([fd], [], [], 0)
    return bool(readable)


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class AsyncioStream(AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    # The `timeout` arguments are httpcore2's interface (AsyncNetworkStream/Backend).
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        protocol = self._protocol
        if not protocol.chunks:
            if protocol.eof:
                if protocol.error is not None:
                    raise ReadError(str(protocol.error)) from protocol.error
                return b""
            loop = protocol._loop
            waiter = protocol.waiter = loop.create_future()
            timer = None if timeout is None else loop.call_later(timeout, _expire, waiter)
            try:
                await waiter
            except TimeoutError as exc:
                raise ReadTimeout("timed out") from exc
            finally:
                protocol.waiter = None
                if timer is not None:
                    timer.cancel()
            if not protocol.chunks:
                if protocol.error is not None:
                    raise ReadError(str(protocol.error)) from protocol.error
                return b""
        return protocol.take(max_bytes)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        protocol = self._protocol
        if protocol.eof or self._transport.is_closing():
            raise WriteError(str(protocol.error or "the connection is closed"))
        self._transport.write(buffer)
        if protocol._paused_writing:
            try:
                await asyncio.wait_for(protocol.drain(), timeout)
            except TimeoutError as exc:
                raise WriteTimeout("timed out") from exc
            if protocol.error is not None:
                raise WriteError(str(protocol.error)) from protocol.error

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> AsyncNetworkStream:
        protocol = self._protocol
        try:
            # The bound is httpcore2's connect timeout (anyio's `fail_after`), so it ends as
            # ConnectTimeout; asyncio's own handshake bound (default 60 s) stays behind it.
            async with asyncio.timeout(timeout):
                transport = await protocol._loop.start_tls(
                    self._transport, protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as exc:
            self._transport.close()
            raise ConnectTimeout("timed out") from exc
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise ConnectError(str(exc)) from exc
        if transport is None:  # the connection closed during the handshake
            raise ConnectError("the connection closed during the TLS handshake")
        protocol.transport = transport  # reading is paused and resumed through TLS now
        return AsyncioStream(protocol.transport, protocol)

    def get_extra_info(self, info: str) -> Any:
        transport = self._transport
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        if info == "is_readable":
            # The pool asks before reusing an idle connection: anything buffered, an end of
            # the stream, a closed transport, or (not yet seen by the loop) a socket with
            # something to read means the server has dropped it or sent what it should not.
            protocol = self._protocol
            if protocol.chunks or protocol.eof or transport.is_closing():
                return True
            sock = transport.get_extra_info("socket")
            if sock is None:
                return False
            return _readable(sock.fileno())
        return None


def _happy_eyeballs(loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    """anyio's connect_tcp races a host's addresses as RFC 8305 says, 250 ms apart; asyncio's
    own loop can too. uvloop's (what uvicorn runs the agent on) has no such argument and
    tries the addresses one after the other."""
    if isinstance(loop, asyncio.BaseEventLoop):
        return {"happy_eyeballs_delay": 0.25}
    return {}


class AsyncioBackend(AsyncNetworkBackend):
    """httpcore2's network backend on asyncio's own transports (see the module)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        protocol = _Protocol(loop)
        try:
            async with asyncio.timeout(timeout):
                transport, _ = await loop.create_connection(
                    lambda: protocol,
                    host,
                    port,
                    local_addr=None if local_address is None else (local_address, 0),
                    **_happy_eyeballs(loop),
                )
        except TimeoutError as exc:
            raise ConnectTimeout("timed out") from exc
        except OSError as exc:
            raise ConnectError(str(exc)) from exc
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        return await httpcore2.AnyIOBackend().connect_unix_socket(
            path, timeout=timeout, socket_options=socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AsyncioTransport(httpx2.AsyncHTTPTransport):
    """httpx2's transport (same arguments, pool, TLS context, request and error handling)
    with its connections opened by `AsyncioBackend`.

    httpx2's transport takes no network backend, so the one of the pool it built is
    replaced: `_pool` (httpx2) and `_network_backend` (httpcore2) are private names, read
    by the pool each time it opens a connection. A test checks that the connections made
    are this module's, so a release that renames them fails there instead of silently
    falling back to anyio."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        pool = self._pool
        if type(pool) is httpcore2.AsyncConnectionPool:  # proxies keep their own
            pool._network_backend = AsyncioBackend()
