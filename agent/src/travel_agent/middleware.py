"""Every request passes here (after the kit's request id): optional token, timing.

Pure ASGI (no BaseHTTPMiddleware) so streamed responses pass straight through.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from travel_kit.asgi import TimedResponse
from travel_kit.probes import PROBE_PATHS as OPEN_PATHS
from travel_kit.request_ids import thread_id_var
from travel_kit.responses import refuse

from .metrics import HTTP_REQUEST_DURATION

log = logging.getLogger(__name__)


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, *, api_token: str | None) -> None:
        self.app = app
        self.token = api_token

    def _refusal(self, path: str, headers: dict[str, str]) -> tuple[int, str] | None:
        """What to answer instead of the app: a missing token. (The body size limit is
        FastAPI's, with the kit's AnnouncedBodyLimit inside this middleware.)"""
        if self.token and path not in OPEN_PATHS:
            expected = f"Bearer {self.token}"
            if not hmac.compare_digest(headers.get("authorization", ""), expected):
                return 401, "A valid agent API token is required."
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        thread_id_var.set(None)
        response = TimedResponse(send)
        try:
            refusal = self._refusal(scope["path"], headers)
            if refusal is None:
                await self.app(scope, receive, response)
                return
            await refuse(scope, receive, response, *refusal)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            status, elapsed = response.status, response.elapsed
            HTTP_REQUEST_DURATION.labels(scope["method"], template, str(status)).observe(elapsed)
            # One line per request: the route template, never the raw path or the body.
            log.log(
                logging.DEBUG if scope["path"] in OPEN_PATHS else logging.INFO,
                "request",
                extra={
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
