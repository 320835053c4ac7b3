"""Turning an LLM failure into a sentence for a person. The detail goes to the log; the
sentence never repeats the key or the provider's message.

The openai SDK is not imported here: it costs about a second of start-up, and the offline
planner never needs it. An exception can only be one of the SDK's (or of its HTTP
client's) if that module was imported, so the classes are looked up in `sys.modules`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Literal

import httpx

from ..errors import LLM_BAD_KEY, LLM_FAILED, LLM_UNAVAILABLE, LLM_UNKNOWN_MODEL

ErrorKind = Literal[
    "timeout",
    "connection",
    "rate_limited",
    "server_error",
    "auth",
    "not_found",
    "cancelled",
    "other",
]


def _loaded(name: str, attrs: tuple[str, ...]) -> tuple[type[BaseException], ...]:
    module = sys.modules.get(name)
    if module is None:
        return ()
    return tuple(getattr(module, attr) for attr in attrs if hasattr(module, attr))


# openai>=3 speaks httpx2; its transport errors can surface mid-stream unwrapped.
def _timeouts() -> tuple[type[BaseException], ...]:
    return (
        TimeoutError,
        asyncio.TimeoutError,
        httpx.TimeoutException,
        *_loaded("httpx2", ("TimeoutException",)),
        *_loaded("openai", ("APITimeoutError",)),
    )


def _transport() -> tuple[type[BaseException], ...]:
    return (
        httpx.TransportError,
        *_loaded("httpx2", ("TransportError",)),
        *_loaded("openai", ("APIConnectionError",)),
    )


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its causes: LangChain and LangGraph may wrap the SDK's error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status_kind(status: int) -> ErrorKind:
    if status in (401, 403):
        return "auth"
    if status == 429:
        return "rate_limited"
    if status == 404:
        return "not_found"
    if status >= 500 or status in (408, 409):
        return "server_error"
    return "other"


def classify_llm_error(exc: BaseException) -> ErrorKind:
    """A small, fixed set of kinds (also used as a metrics label)."""
    timeouts, transport = _timeouts(), _transport()
    status_errors = _loaded("openai", ("APIStatusError",))
    for err in _chain(exc):
        if isinstance(err, asyncio.CancelledError):
            return "cancelled"
        if isinstance(err, timeouts):
            return "timeout"
        if isinstance(err, transport):
            return "connection"
        if status_errors and isinstance(err, status_errors):
            return _status_kind(int(getattr(err, "status_code", 0)))
    return "other"


def describe_llm_error(exc: BaseException) -> str:
    """The sentence a person sees when the model call failed."""
    kind = classify_llm_error(exc)
    if kind in ("timeout", "connection", "rate_limited", "server_error"):
        return LLM_UNAVAILABLE
    if kind == "auth":
        return LLM_BAD_KEY
    if kind == "not_found":
        return LLM_UNKNOWN_MODEL
    return LLM_FAILED
