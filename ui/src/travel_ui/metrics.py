"""Prometheus metrics of the ui service (one registry per app, so tests can build many)."""

from __future__ import annotations

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # The process's memory, CPU and file descriptors, as the agent reports them.
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self.request_duration = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (for streams: until the stream ends).",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.active_streams = Gauge(
            "travel_ui_active_streams",
            "Chat streams being relayed from the agent to browsers right now.",
            registry=self.registry,
        )
        self.streams = Counter(
            "travel_ui_streams_total",
            "Chat streams relayed to browsers, by how they ended.",
            ["outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "travel_ui_rate_limited_total",
            "Requests refused with 429 by the per-client rate limit.",
            registry=self.registry,
        )
        self.agent_unavailable = Counter(
            "travel_ui_agent_unavailable_total",
            "Requests for which no agent could be reached.",
            registry=self.registry,
        )
