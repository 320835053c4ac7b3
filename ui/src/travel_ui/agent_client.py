"""Talks to the agent service: its REST API, its AG-UI stream and its health.

Several agent URLs are used round-robin. When an agent cannot be reached before anything
was sent back (connection refused, connect timeout, or a 503 from a replica that is
shutting down), the next one is tried, so a replica can die without anyone noticing. A
single URL (a Kubernetes Service in front of the replicas) gets a second try.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from .logging_setup import request_id_var
from .settings import Settings

log = logging.getLogger(__name__)

# Failures that prove the request never reached a working agent, so another may take it.
_NOT_REACHED = (httpx.ConnectError, httpx.ConnectTimeout)
# Idempotent reads may also be retried when the connection broke before any answer.
_READ_RETRYABLE = (*_NOT_REACHED, httpx.RemoteProtocolError, httpx.ReadError)


# Health checks must answer fast: a page render and /readyz wait for them.
_READY_TIMEOUT = httpx.Timeout(2.0, connect=1.0)


class AgentUnavailable(Exception):
    """No agent answered."""


class AgentClient:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self._run_urls = settings.agent_run_urls
        self._bases = settings.agent_base_urls
        self._token = settings.agent_api_token
        self._stream_timeout = httpx.Timeout(
            settings.agent_stream_timeout_seconds, connect=settings.agent_connect_timeout_seconds
        )
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                settings.agent_timeout_seconds, connect=settings.agent_connect_timeout_seconds
            ),
            transport=transport,
        )
        self._turn = itertools.count()

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying client (tracing instruments it)."""
        return self._client

    async def aclose(self) -> None:
        await self._client.aclose()

    def _order(self) -> list[int]:
        """Agent indexes to try, starting with the next one in round-robin order. A single
        URL is tried twice: it is usually a Kubernetes Service, which sends the second
        connection to another pod while a dead one is still listed."""
        n = len(self._bases)
        start = next(self._turn) % n
        return [(start + i) % n for i in range(max(n, 2))]

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self._token is not None and self._token.get_secret_value():
            headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        if (request_id := request_id_var.get()) is not None:
            headers["X-Request-ID"] = request_id
        return headers

    async def request(self, method: str, path: str, *, json: Any = None) -> httpx.Response:
        """One REST call on the first agent that answers; raises AgentUnavailable."""
        retryable = _READ_RETRYABLE if method == "GET" else _NOT_REACHED
        order = self._order()
        for attempt, index in enumerate(order):
            url = self._bases[index] + path
            try:
                response = await self._client.request(
                    method,
                    url,
                    json=json,
                    headers=self._headers(),
                )
            except retryable as exc:
                log.warning("agent not reachable", extra={"url": url, "error": repr(exc)})
                continue
            except httpx.TimeoutException as exc:
                log.warning("agent timed out", extra={"url": url, "error": repr(exc)})
                raise AgentUnavailable from exc
            if response.status_code == 503 and attempt < len(order) - 1:
                log.warning("agent answered 503; trying the next one", extra={"url": url})
                continue
            return response
        raise AgentUnavailable

    @asynccontextmanager
    async def run(self, body: dict[str, Any]) -> AsyncIterator[httpx.Response]:
        """Starts an AG-UI run and yields the streaming response (status not checked)."""
        order = self._order()
        for attempt, index in enumerate(order):
            url = self._run_urls[index]
            request = self._client.build_request(
                "POST",
                url,
                json=body,
                headers=self._headers({"Accept": "text/event-stream"}),
                timeout=self._stream_timeout,
            )
            try:
                response = await self._client.send(request, stream=True)
            except _NOT_REACHED as exc:
                log.warning("agent not reachable", extra={"url": url, "error": repr(exc)})
                continue
            if response.status_code == 503 and attempt < len(order) - 1:
                await response.aclose()
                log.warning("agent answered 503; trying the next one", extra={"url": url})
                continue
            try:
                yield response
            finally:
                await response.aclose()
            return
        raise AgentUnavailable

    async def ready(self) -> dict[str, Any] | None:
        """The `/readyz` body of the first agent that is ready, or None."""
        for index in self._order():
            url = self._bases[index] + "/readyz"
            try:
                response = await self._client.get(
                    url, headers=self._headers(), timeout=_READY_TIMEOUT
                )
            except httpx.HTTPError as exc:
                log.info("agent not ready", extra={"url": url, "error": repr(exc)})
                continue
            if response.status_code == 200:
                try:
                    body = response.json()
                except ValueError:
                    continue
                if isinstance(body, dict):
                    return body
        return None
