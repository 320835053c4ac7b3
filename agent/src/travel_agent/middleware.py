"""Every request passes here (after the kit's request id): optional token, body limit,
timing.

Pure ASGI (no BaseHTTPMiddleware) so streamed responses pass straight through.
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from travel_kit.probes import PROBE_PATHS as OPEN_PATHS
from travel_kit.request_ids import thread_id_var
from travel_kit.responses import refuse

from .metrics import HTTP_REQUEST_DURATION

log = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    pass


class ServiceMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, api_token: str | None) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.token = api_token

    @property
    def too_large(self) -> str:
        return f"The request body is too large (limit {self.max_body:,} bytes)."

    def _refusal(self, path: str, headers: dict[str, str]) -> tuple[int, str] | None:
        """What to answer instead of the app: a missing token, or a declared size too big."""
        if self.token and path not in OPEN_PATHS:
            expected = f"Bearer {self.token}"
            if not hmac.compare_digest(headers.get("authorization", ""), expected):
                return 401, "A valid agent API token is required."
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return 413, self.too_large
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        thread_id_var.set(None)
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            refusal = self._refusal(scope["path"], headers)
            if refusal is None:
                received = 0

                async def limited_receive() -> Message:
                    nonlocal received
                    message = await receive()
                    if message["type"] == "http.request":
                        received += len(message.get("body", b""))
                        if received > self.max_body:
                            raise BodyTooLarge
                    return message

                try:
                    await self.app(scope, limited_receive, send_wrapper)
                    return
                except BodyTooLarge:
                    refusal = (413, self.too_large)
            status = refusal[0]
            await refuse(scope, receive, send, *refusal)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
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
