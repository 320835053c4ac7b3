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

from travel_kit import tracing as kit_tracing

from .settings import Settings

SERVICE_NAME = "travel-ui"


def make_tracer_provider(settings: Settings, exporter: Any = None) -> Any:
    """The SDK TracerProvider when tracing is configured, else None (and no import).

    The name is fixed: a .env shared with the agent names the agent in OTEL_SERVICE_NAME."""
    return kit_tracing.make_tracer_provider(
        settings.otel_exporter_otlp_endpoint, SERVICE_NAME, exporter
    )


def fastapi_telemetry(provider: Any) -> TelemetryConfig:
    """The kit's server spans; static files are not worth a trace each either."""
    return kit_tracing.fastapi_telemetry(provider, _excluded)


def _excluded(scope: MutableMapping[str, Any]) -> bool:
    return kit_tracing.probe_excluded(scope) or str(scope.get("path", "")).startswith("/static/")


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
