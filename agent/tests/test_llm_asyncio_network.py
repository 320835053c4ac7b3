"""The model's HTTP client reads sockets through `AsyncioBackend` and behaves as httpx2's
default (anyio) transport does: same bodies, connection reuse, TLS, and the same httpx2
errors for a read timeout, a connection cut mid-body and a refused connection.

Each case runs against a scripted HTTP/1.1 server on 127.0.0.1 (asyncio's own), once per
transport, and on uvloop (what uvicorn runs the agent on) as well."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import openai
import pytest
import uvloop
from pydantic import SecretStr

from travel_agent.llm.asyncio_network import (
    HIGH_WATER,
    AsyncioBackend,
    AsyncioStream,
    AsyncioTransport,
)
from travel_agent.llm.openai_model import build_openai_model, http_client
from travel_agent.settings import Settings

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
TRANSPORTS = {"asyncio": AsyncioTransport, "anyio": httpx2.AsyncHTTPTransport}


async def _request(reader: asyncio.StreamReader) -> bytes:
    """Reads one request (headers and a Content-Length body); b"" once the client left."""
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":")[1]))
    return head


def _chunked(pieces: list[bytes]) -> list[bytes]:
    return [b"%x\r\n%s\r\n" % (len(p), p) for p in pieces] + [b"0\r\n\r\n"]


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
PIECES = [b'data: {"n": %d}\n\n' % i for i in range(40)]


class Server:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serve(handler: Handler, tls: ssl.SSLContext | None = None) -> AsyncIterator[Server]:
    server = Server(handler)
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=tls)
    port = listener.sockets[0].getsockname()[1]
    server.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/v1/chat/completions"
    async with listener:
        yield server
        listener.close()


async def stream_pieces(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers each request on the connection with PIECES, one write and loop step each."""
    while await _request(reader):
        writer.write(HEAD)
        for data in _chunked(PIECES):
            writer.write(data)
            await writer.drain()
            await asyncio.sleep(0)


async def read_all(client: httpx2.AsyncClient, url: str) -> bytes:
    async with client.stream("POST", url, json={"stream": True}) as response:
        response.raise_for_status()
        return b"".join([data async for data in response.aiter_bytes()])


@pytest.fixture(params=sorted(TRANSPORTS))
def transport(request: pytest.FixtureRequest) -> httpx2.AsyncBaseTransport:
    made: httpx2.AsyncBaseTransport = TRANSPORTS[request.param]()
    return made


async def streamed_twice() -> tuple[list[bytes], int, list[type]]:
    async with (
        serve(stream_pieces) as server,
        httpx2.AsyncClient(transport=AsyncioTransport()) as client,
    ):
        bodies = [await read_all(client, server.url) for _ in range(2)]
        pool = client._transport._pool  # type: ignore[attr-defined]
        streams = [type(c._connection._network_stream) for c in pool.connections]
        return bodies, server.connections, streams


async def test_a_body_streamed_in_pieces_is_read_whole_on_one_kept_connection() -> None:
    bodies, connections, streams = await streamed_twice()
    assert bodies == [b"".join(PIECES)] * 2
    assert connections == 1
    # Guards the private names AsyncioTransport sets (httpx2's `_pool`, httpcore2's
    # `_network_backend`): the connection really is this module's stream.
    assert streams == [AsyncioStream]


def test_the_same_on_uvloop() -> None:
    bodies, connections, streams = uvloop.run(streamed_twice())
    assert bodies == [b"".join(PIECES)] * 2
    assert connections == 1
    assert streams == [AsyncioStream]


async def test_a_body_larger_than_the_buffer_bound_comes_through_a_slow_reader(
    transport: httpx2.AsyncBaseTransport,
) -> None:
    big = [bytes([65 + i % 26]) * 50_000 for i in range(4 * HIGH_WATER // 50_000)]

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(HEAD + b"".join(_chunked(big)))
        await writer.drain()

    async with serve(handler) as server, httpx2.AsyncClient(transport=transport) as client:
        received = []
        async with client.stream("POST", server.url) as response:
            async for data in response.aiter_bytes():
                received.append(data)
                await asyncio.sleep(0)  # slower than the socket: the buffer fills up
    assert b"".join(received) == b"".join(big)


async def test_a_server_that_stalls_is_a_read_timeout(
    transport: httpx2.AsyncBaseTransport,
) -> None:
    release = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(HEAD + _chunked(PIECES[:1])[0])
        await release.wait()

    timeout = httpx2.Timeout(5, read=0.2)
    async with (
        serve(handler) as server,
        httpx2.AsyncClient(transport=transport, timeout=timeout) as client,
    ):
        with pytest.raises(httpx2.ReadTimeout):
            await read_all(client, server.url)
        release.set()


async def test_a_connection_cut_mid_body_is_a_protocol_error(
    transport: httpx2.AsyncBaseTransport,
) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(HEAD + b"".join(_chunked(PIECES)[:5]))
        await writer.drain()
        # returns: the connection is closed without the last chunk

    async with serve(handler) as server, httpx2.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx2.RemoteProtocolError):
            await read_all(client, server.url)


async def test_a_refused_connection_is_a_connect_error(
    transport: httpx2.AsyncBaseTransport,
) -> None:
    async with serve(stream_pieces) as server:
        url = server.url
    async with httpx2.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx2.ConnectError):
            await read_all(client, url)


async def test_a_kept_connection_the_server_closed_is_not_reused(
    transport: httpx2.AsyncBaseTransport,
) -> None:
    closed = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.write(HEAD + b"".join(_chunked(PIECES)))
        await writer.drain()
        writer.close()  # after a complete keep-alive answer
        await writer.wait_closed()
        closed.set()

    async with serve(handler) as server, httpx2.AsyncClient(transport=transport) as client:
        assert await read_all(client, server.url) == b"".join(PIECES)
        await closed.wait()
        assert await read_all(client, server.url) == b"".join(PIECES)
    assert server.connections == 2


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def test_tls_with_the_given_context(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    trusted = ssl.create_default_context(cafile=str(cert))
    async with (
        serve(stream_pieces, tls=server_side) as server,
        httpx2.AsyncClient(transport=AsyncioTransport(verify=trusted)) as client,
    ):
        assert await read_all(client, server.url) == b"".join(PIECES)
        pool = client._transport._pool  # type: ignore[attr-defined]
        stream = pool.connections[0]._connection._network_stream
        assert isinstance(stream, AsyncioStream)
        assert stream.get_extra_info("ssl_object") is not None
    # Not trusted: the handshake fails as a connect error, as with anyio.
    async with (
        serve(stream_pieces, tls=server_side) as server,
        httpx2.AsyncClient(transport=AsyncioTransport()) as client,
    ):
        with pytest.raises(httpx2.ConnectError):
            await read_all(client, server.url)


def test_the_model_client_uses_it_unless_a_proxy_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    settings = Settings(_env_file=None, llm_provider="openai", openai_api_key=SecretStr("sk"))
    client = build_openai_model(settings).root_async_client
    assert isinstance(client, openai.AsyncOpenAI)
    assert isinstance(client._client._transport, AsyncioTransport)
    assert isinstance(client._client._transport._pool._network_backend, AsyncioBackend)
    # The SDK's defaults all the same (its client class, limits, redirects).
    assert isinstance(client._client, openai.DefaultAsyncHttpxClient)
    assert client._client.follow_redirects
    assert client._client._transport._pool._max_connections == 1000

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert http_client(openai.Timeout(30)) is None  # the SDK's client reads the proxy
