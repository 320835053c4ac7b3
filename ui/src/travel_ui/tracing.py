"""Optional OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set.

Off (the default), nothing here imports the OpenTelemetry SDK, exporters or
instrumentations and FastAPI's own telemetry is switched off: the ui pays nothing. On,
FastAPI's native server span covers each request (continuing a `traceparent` from the
Gateway), and the ui's client to the agent is instrumented, so each call to the agent is
a client span whose `traceparent` header the agent continues: one trace from the browser's
request through the agent's run, model calls and place searches.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import httpx
from fastapi.telemetry import TelemetryConfig

from .settings import Settings

SERVICE_NAME = "travel-ui"
#: Probes, scrapes and static files are not worth a trace each.
EXCLUDED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def make_tracer_provider(settings: Settings, exporter: Any = None) -> Any:
    """The SDK TracerProvider when tracing is configured, else None (and no import).

    `exporter` replaces the OTLP exporter (tests pass an in-memory one)."""
    if not settings.otel_exporter_otlp_endpoint:
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    # The name is fixed: a .env shared with the agent names the agent in OTEL_SERVICE_NAME.
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The signal-agnostic endpoint gets the traces path, as the OTel spec says.
        url = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def fastapi_telemetry(provider: Any) -> TelemetryConfig:
    """FastAPI's native telemetry: server spans only, and only with our provider. Its logs
    (validation failures with their input) and metrics stay off."""
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
    path = str(scope.get("path", ""))
    return path in EXCLUDED_PATHS or path.startswith("/static/")


def instrument_client(client: httpx.AsyncClient, provider: Any) -> None:
    """Client spans and `traceparent` on the ui's calls to the agent (this client only)."""
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider)


def shutdown(provider: Any) -> None:
    """Flushes the spans still buffered (at the end of the app's lifespan)."""
    if provider is not None:
        provider.shutdown()
