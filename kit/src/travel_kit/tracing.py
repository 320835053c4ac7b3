"""The optional OpenTelemetry set-up both services share.

Off (no endpoint), nothing here imports OpenTelemetry (an optional extra, `tracing`) and
FastAPI's own telemetry is switched off: the service pays nothing."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from fastapi.telemetry import TelemetryConfig

from .probes import PROBE_PATHS

Exclude = Callable[[MutableMapping[str, Any]], bool]


def make_tracer_provider(endpoint: str | None, service_name: str, exporter: Any = None) -> Any:
    """The SDK TracerProvider when an OTLP/HTTP endpoint is set, else None (and no import).

    `exporter` replaces the OTLP exporter (tests pass an in-memory one)."""
    if not endpoint:
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The signal-agnostic endpoint gets the traces path, as the OTel spec says.
        url = endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def probe_excluded(scope: MutableMapping[str, Any]) -> bool:
    """Probes and scrapes are not worth a trace each."""
    return scope.get("path") in PROBE_PATHS


def fastapi_telemetry(provider: Any, exclude: Exclude = probe_excluded) -> TelemetryConfig:
    """FastAPI's native telemetry: server spans only, and only with our provider. Its logs
    (validation failures with their input) and metrics stay off: Prometheus has the
    metrics, and inputs may hold what people typed."""
    if provider is None:
        return {"tracing": False, "metrics": False, "logs": False}
    return {
        "tracer_provider": provider,
        "tracing": True,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        "exclude": exclude,
    }
