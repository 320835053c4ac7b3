"""ASGI middleware: access log and metrics (the kit adds the request id); security headers.
(The body size limit is FastAPI's `max_body_size`.)

Written as plain ASGI (not BaseHTTPMiddleware) so streamed responses pass straight through.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from travel_kit.asgi import TimedResponse
from travel_kit.request_ids import thread_id_var

from .metrics import Metrics

log = logging.getLogger("travel_ui.access")
# Probes and static files would drown the access log; metrics still count them.
_QUIET_ROUTES = frozenset(
    {"/healthz", "/readyz", "/metrics", "/static/{version}", "/static/{version}/vendor/leaflet"}
)


def _route_template(routes: Sequence[BaseRoute], scope: Scope) -> str:
    """The path template of the route that serves a request ("unmatched" if none), so
    metrics never get one label per id. Matched here, independent of the framework's
    internal routing."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "unmatched"))
        if match is Match.PARTIAL and partial is None:
            partial = str(getattr(route, "path", "unmatched"))
    return partial or "unmatched"


class RequestContextMiddleware:
    """Logs every request as one JSON line (with the kit's request id) and records its
    duration under the route's template, never its raw path."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        thread_token = thread_id_var.set(None)
        # Matched before the app runs: routing rewrites the scope's paths as it goes.
        template = _route_template(self.routes, dict(scope))
        response = TimedResponse(send)
        try:
            await self.app(scope, receive, response)
        finally:
            status, elapsed = response.status, response.elapsed
            self.metrics.request_duration.labels(scope["method"], template, str(status)).observe(
                elapsed
            )
            if template not in _QUIET_ROUTES:
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "route": template,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                    },
                )
            thread_id_var.reset(thread_token)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, tile_origin: str | None) -> None:
        self.app = app
        img_src = "'self' data:" + (f" {tile_origin}" if tile_origin else "")
        csp = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                f"img-src {img_src}",
                "connect-src 'self'",
                "font-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            # OpenStreetMap's tile policy asks for a Referer: send the origin, nothing more.
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        private = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *self.headers]
                # A person's trips and conversation never sit in a shared cache.
                if private and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
