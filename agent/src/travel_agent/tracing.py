"""Optional OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set.

Off (the default), nothing here imports the OpenTelemetry SDK, exporters or
instrumentations, FastAPI's own telemetry is switched off, and every helper is a no-op:
the service pays nothing. On, spans go out over OTLP/HTTP: FastAPI's native server span
per request (continuing the ui's trace from its `traceparent` header), client spans for
outgoing httpx/httpx2 calls (places providers, the OpenAI SDK), and spans of our own for
each run (`agent.run`), each model call (`llm.chat`) and each place search
(`places.search`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar, cast

from travel_kit import tracing as kit_tracing

from .settings import Settings

N = TypeVar("N", bound=Callable[..., Awaitable[Any]])

_tracer: Any = None  # an opentelemetry Tracer while tracing is on


def enabled() -> bool:
    return _tracer is not None


def make_tracer_provider(settings: Settings, exporter: Any = None) -> Any:
    """The SDK TracerProvider when tracing is configured, else None (and no import)."""
    return kit_tracing.make_tracer_provider(
        settings.otel_exporter_otlp_endpoint, settings.otel_service_name, exporter
    )


fastapi_telemetry = kit_tracing.fastapi_telemetry


def start_tracing(provider: Any) -> None:
    """Trace outgoing HTTP and our own spans (at the start of the app's lifespan)."""
    global _tracer
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import (
        HTTPX2ClientInstrumentor,
        HTTPXClientInstrumentor,
    )

    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    HTTPX2ClientInstrumentor().instrument(tracer_provider=provider)
    _tracer = provider.get_tracer("travel_agent")


def stop_tracing(provider: Any) -> None:
    """Flush and stop (at the end of the app's lifespan)."""
    global _tracer
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import (
        HTTPX2ClientInstrumentor,
        HTTPXClientInstrumentor,
    )

    HTTPXClientInstrumentor().uninstrument()
    HTTPX2ClientInstrumentor().uninstrument()
    provider.shutdown()
    _tracer = None


@contextlib.contextmanager
def span(name: str, **attributes: Any) -> Iterator[Any]:
    """A span around a block of plain (non-generator) code; yields the span or None."""
    if _tracer is None:
        yield None
        return
    with _tracer.start_as_current_span(name, attributes=_clean(attributes)) as current:
        yield current


@contextlib.contextmanager
def run_context(name: str, **attributes: Any) -> Iterator[contextvars.Context | None]:
    """A span for work handed to another task: yields a copy of the current context with
    the span active (pass it to `asyncio.create_task(..., context=)`), or None when off.

    The caller's own context is left alone, so this is safe across `yield`s."""
    if _tracer is None:
        yield None
        return
    from opentelemetry import context as otel_context
    from opentelemetry import trace

    current = _tracer.start_span(name, attributes=_clean(attributes))
    ctx = contextvars.copy_context()
    ctx.run(otel_context.attach, trace.set_span_in_context(current))
    try:
        yield ctx
    finally:
        current.end()


def traced(name: str, node: N, **attributes: Any) -> N:
    """A graph node `(state, config)` wrapped in a span; the node itself when tracing is off."""
    if _tracer is None:
        return node

    @functools.wraps(node)
    async def wrapper(state: Any, config: Any) -> Any:
        with span(name, **attributes):
            return await node(state, config)

    return cast(N, wrapper)


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None}
