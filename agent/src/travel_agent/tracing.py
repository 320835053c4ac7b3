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
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any, TypeVar, cast

from fastapi.telemetry import TelemetryConfig

from .settings import Settings

N = TypeVar("N", bound=Callable[..., Awaitable[Any]])

#: Probes and scrapes are not worth a trace each.
EXCLUDED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

_tracer: Any = None  # an opentelemetry Tracer while tracing is on


def enabled() -> bool:
    return _tracer is not None


def make_tracer_provider(settings: Settings, exporter: Any = None) -> Any:
    """The SDK TracerProvider when tracing is configured, else None (and no import).

    `exporter` replaces the OTLP exporter (tests pass an in-memory one)."""
    if not settings.otel_exporter_otlp_endpoint:
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.otel_service_name})
    )
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The signal-agnostic endpoint gets the traces path, as the OTel spec says.
        url = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def fastapi_telemetry(provider: Any) -> TelemetryConfig:
    """FastAPI's native telemetry: server spans only, and only with our provider. Its
    logs (validation failures with their input) and metrics stay off: Prometheus has
    the metrics, and inputs may hold what people typed."""
    if provider is None:
        return {"tracing": False, "metrics": False, "logs": False}
    return {
        "tracer_provider": provider,
        "tracing": True,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        "exclude": _excluded,
    }


def _excluded(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in EXCLUDED_PATHS


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
