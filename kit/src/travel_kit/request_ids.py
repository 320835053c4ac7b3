"""Request and thread ids carried by every log line, and the X-Request-ID header.

The request id is asgi-correlation-id's context variable: its middleware takes a sane
`X-Request-ID` from the request (or makes one) and sends it back on the response."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from asgi_correlation_id import CorrelationIdMiddleware
from asgi_correlation_id.context import correlation_id
from starlette.applications import Starlette

request_id_var: ContextVar[str | None] = correlation_id
thread_id_var: ContextVar[str | None] = ContextVar("thread_id", default=None)

# What a caller may choose as a request id: short, printable, safe in a log and a header.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def is_request_id(value: str) -> bool:
    return REQUEST_ID.fullmatch(value) is not None


def add_request_ids(app: Starlette) -> None:
    """Add last, so it is the outermost middleware: every answer, refusals included,
    carries the id, and every log line of the request names it."""
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name="X-Request-ID",
        generator=lambda: uuid.uuid4().hex,
        validator=is_request_id,
    )
