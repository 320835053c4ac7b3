"""Turning an LLM failure into a sentence for a person. The detail goes to the log; the
sentence never repeats the key or the provider's message."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Literal

import httpx
import openai

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

try:  # openai>=3 speaks httpx2; its transport errors can surface mid-stream unwrapped.
    import httpx2

    _HTTPX_TIMEOUTS: tuple[type[BaseException], ...] = (
        httpx.TimeoutException,
        httpx2.TimeoutException,
    )
    _HTTPX_TRANSPORT: tuple[type[BaseException], ...] = (
        httpx.TransportError,
        httpx2.TransportError,
    )
except ImportError:  # pragma: no cover - openai<3
    _HTTPX_TIMEOUTS = (httpx.TimeoutException,)
    _HTTPX_TRANSPORT = (httpx.TransportError,)

_TIMEOUTS: tuple[type[BaseException], ...] = (
    openai.APITimeoutError,
    TimeoutError,
    asyncio.TimeoutError,
    *_HTTPX_TIMEOUTS,
)
_TRANSPORT: tuple[type[BaseException], ...] = (openai.APIConnectionError, *_HTTPX_TRANSPORT)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its causes: LangChain and LangGraph may wrap the SDK's error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify_llm_error(exc: BaseException) -> ErrorKind:
    """A small, fixed set of kinds (also used as a metrics label)."""
    for err in _chain(exc):
        if isinstance(err, asyncio.CancelledError):
            return "cancelled"
        if isinstance(err, _TIMEOUTS):
            return "timeout"
        if isinstance(err, _TRANSPORT):
            return "connection"
        if isinstance(err, openai.AuthenticationError | openai.PermissionDeniedError):
            return "auth"
        if isinstance(err, openai.RateLimitError):
            return "rate_limited"
        if isinstance(err, openai.NotFoundError):
            return "not_found"
        if isinstance(err, openai.APIStatusError):
            if err.status_code in (401, 403):
                return "auth"
            if err.status_code == 429:
                return "rate_limited"
            if err.status_code >= 500 or err.status_code in (408, 409):
                return "server_error"
            return "other"
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
