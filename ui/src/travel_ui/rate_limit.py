"""A per-client rate limit: one token bucket per client address, 429 with Retry-After.

The address is the one uvicorn resolved: behind a proxy listed in FORWARDED_ALLOW_IPS it
is the client's, from X-Forwarded-For; otherwise the peer's. Buckets live in memory, per
replica, in a bounded cache: an entry expires once its bucket would be full again, so a
missing entry and a full bucket mean the same thing. Probes, metrics and static files are
not counted (a page load fetches a dozen files; kubelets probe every few seconds).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from cachetools import TTLCache
from starlette.types import ASGIApp, Receive, Scope, Send

from travel_kit.responses import refuse

from .metrics import Metrics

# Distinct clients remembered at once; beyond that the least recent is forgotten (it
# starts again with a full bucket), so memory stays bounded whatever the traffic.
MAX_CLIENTS = 50_000
UNCOUNTED = frozenset({"/healthz", "/readyz", "/metrics"})


def too_many(retry_after: int) -> str:
    return (
        f"You are sending requests too quickly. Please wait {retry_after} "
        f"second{'s' if retry_after != 1 else ''} and try again."
    )


class TokenBuckets:
    """`rate` tokens per second, at most `burst` saved up, one bucket per key."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: TTLCache[str, tuple[float, float]] = TTLCache(
            maxsize=MAX_CLIENTS, ttl=burst / rate, timer=clock
        )

    def take(self, key: str) -> float:
        """Takes a token for `key`: 0 when allowed, else the seconds until one is free."""
        now = self.clock()
        tokens, stamp = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
        if tokens < 1:
            return (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1, now)
        return 0.0


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, buckets: TokenBuckets, metrics: Metrics) -> None:
        self.app = app
        self.buckets = buckets
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in UNCOUNTED or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "unknown")
        if wait == 0:
            await self.app(scope, receive, send)
            return
        self.metrics.rate_limited.inc()
        retry_after = max(1, math.ceil(wait))
        await refuse(
            scope, receive, send, 429, too_many(retry_after), {"Retry-After": str(retry_after)}
        )
