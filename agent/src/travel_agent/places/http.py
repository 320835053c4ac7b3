"""What the real places providers share: one HTTP client each, with a timeout per request,
bounded retries with backoff on 429/5xx/timeouts, optional spacing of requests per host,
and the place-search metrics."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from typing import Any

import httpx

from .base import SearchResult
from .measured import record_search

log = logging.getLogger("travel_agent.places")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8.0
# A server asking us to wait longer than this gets an honest error instead: a person is
# waiting for the chat to answer.
MAX_RETRY_AFTER_SECONDS = 30.0

UNAVAILABLE_PREFIX = "Place search is unavailable: "


def unavailable(query: str, reason: str) -> SearchResult:
    """The honest tool result for a failed search, so the agent never invents places."""
    return SearchResult(query=query, error=f"{UNAVAILABLE_PREFIX}{reason}.")


class PlaceSearchFailed(Exception):
    """A search that failed for good (retries included). `reason` is safe to show a person
    and ends without a full stop; logs carry the detail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HostRateLimiter:
    """Spaces requests to each host at least `min_interval` seconds apart.

    Each caller reserves the next free slot before sleeping, so concurrent searches queue
    up instead of bursting. `clock` and `sleep` are injectable so tests need no real time.
    """

    def __init__(
        self, min_interval: float, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._next_free: dict[str, float] = {}

    async def wait(self, host: str) -> float:
        """Waits for `host`'s next slot; returns the seconds waited."""
        now = self._clock()
        start = max(now, self._next_free.get(host, now))
        self._next_free[host] = start + self.min_interval
        delay = start - now
        if delay > 0:
            await self._sleep(delay)
        return delay


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before retry number `attempt` (0-based): the server's Retry-After when it
    gave one, else exponential backoff with up to 25% jitter."""
    if retry_after is not None:
        return retry_after
    delay = min(BACKOFF_BASE_SECONDS * 2.0**attempt, BACKOFF_MAX_SECONDS)
    return delay * (1 - 0.25 * random.random())


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi, or SSL_CERT_FILE/SSL_CERT_DIR), made once for
    every provider client: loading the CA bundle costs about 20 ms of start-up each time."""
    return httpx.create_ssl_context()


class PlacesHTTPClient:
    """One provider's HTTP client. `send` retries what is worth retrying and returns the
    last response (which may still be an error status for the provider to explain)."""

    def __init__(
        self,
        *,
        provider: str,
        timeout_seconds: float,
        max_retries: int,
        headers: Mapping[str, str] | None = None,
        limiter: HostRateLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self.max_retries = max_retries
        self.limiter = limiter
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            headers=dict(headers or {}),
            timeout=httpx.Timeout(timeout_seconds),
            transport=transport,
            follow_redirects=False,
            verify=tls_context(),
        )

    async def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        host = httpx.URL(url).host
        attempt = 0
        while True:
            if self.limiter is not None:
                await self.limiter.wait(host)
            try:
                response = await self._client.request(
                    method, url, params=params, json=json, data=data, headers=headers
                )
            except httpx.TimeoutException as exc:
                failure: str | httpx.Response = "the service did not answer in time"
                log.warning(
                    "place search timeout",
                    extra={"provider": self.provider, "host": host, "attempt": attempt},
                    exc_info=exc,
                )
            except httpx.TransportError as exc:
                failure = "the service could not be reached"
                log.warning(
                    "place search connection error",
                    extra={"provider": self.provider, "host": host, "attempt": attempt},
                    exc_info=exc,
                )
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                failure = response
                log.warning(
                    "place search retryable status",
                    extra={
                        "provider": self.provider,
                        "host": host,
                        "status": response.status_code,
                        "attempt": attempt,
                    },
                )

            retry_after = (
                parse_retry_after(failure.headers.get("retry-after"))
                if isinstance(failure, httpx.Response)
                else None
            )
            too_long = retry_after is not None and retry_after > MAX_RETRY_AFTER_SECONDS
            if attempt >= self.max_retries or too_long:
                if isinstance(failure, httpx.Response):
                    return failure
                raise PlaceSearchFailed(failure)
            await self._sleep(backoff_delay(attempt, retry_after))
            attempt += 1

    async def aclose(self) -> None:
        await self._client.aclose()


async def measured_search(
    provider: str, query: str, run: Callable[[], Awaitable[SearchResult]]
) -> SearchResult:
    """Runs one search with metrics; an unexpected failure becomes an honest error result
    (a search must never take the chat down)."""
    started = time.perf_counter()
    try:
        result = await run()
    except PlaceSearchFailed as exc:
        result = unavailable(query, exc.reason)
    except Exception:
        log.exception("place search failed", extra={"provider": provider})
        result = unavailable(query, "something went wrong while searching")
    record_search(provider, time.perf_counter() - started, result)
    return result
