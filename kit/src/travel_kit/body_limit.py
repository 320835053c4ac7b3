"""The request body limit: FastAPI's own, with the services' sentence on its 413.

Each service includes its routers with `max_body_size` (`include_limited`: FastAPI counts
the body as it arrives, announced or chunked) and passes FastAPI's refusal through
`with_sentence` in its HTTP error handler. Starlette answers a body whose Content-Length is
already over the limit in plain text ("Content Too Large") whatever the handler says, so
`AnnouncedBodyLimit` refuses those first, before the app runs, with the same sentence. (The
limit is not set on the app itself: its limiter would sit outside every middleware and turn
their refusals, `AnnouncedBodyLimit`'s included, into that plain text.)
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import body_limit
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .responses import refuse

# Starlette has no public type for its refusal; FastAPI's own `_body_limit` looks it up
# the same way. Without it no refusal is recognised and the body-limit tests fail.
_OVER_LIMIT: type[Exception] | None = getattr(body_limit, "_RequestBodyTooLarge", None)
# The rest of a refused body is never read: the connection is not reused.
_CLOSE = {"Connection": "close"}


def too_large(limit: int) -> str:
    return f"The request body is too large (limit {limit:,} bytes)."


def with_sentence(request: Request, exc: HTTPException) -> HTTPException:
    """`exc`, or for FastAPI's refusal of a body over the limit the same 413 with the
    sentence."""
    limit = request.scope.get(body_limit.MAX_BODY_SIZE_SCOPE_KEY)
    if _OVER_LIMIT is None or not isinstance(exc, _OVER_LIMIT) or not isinstance(limit, int):
        return exc
    return HTTPException(413, too_large(limit), headers=_CLOSE)


class AnnouncedBodyLimit:
    """413 with the sentence for a request whose Content-Length is over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = Headers(scope=scope).get("content-length", "") if scope["type"] == "http" else ""
        if length.isdigit() and int(length) > self.max_bytes:
            await refuse(scope, receive, send, 413, too_large(self.max_bytes), _CLOSE)
            return
        await self.app(scope, receive, send)


def include_limited(app: FastAPI, max_bytes: int, routers: Iterable[APIRouter]) -> None:
    """Includes the app's routers with FastAPI's body limit and adds `AnnouncedBodyLimit`
    (call it before adding the other middleware: it then runs inside them, so their logs
    and metrics see its 413s)."""
    for router in routers:
        app.include_router(router, max_body_size=max_bytes)
    app.add_middleware(AnnouncedBodyLimit, max_bytes=max_bytes)
