"""Prometheus metrics of the agent service. Route labels are templates, never raw paths."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request duration by method, route template and status.",
    ["method", "route", "status"],
)
AGENT_RUNS = Counter(
    "travel_agent_runs_total",
    "Agent runs by outcome (finished, interrupted, error, cancelled, refused).",
    ["outcome"],
)
APPROVALS = Counter(
    "travel_approvals_total",
    "Trip-change approvals by action and decision (approved, partial, cancelled).",
    ["action", "decision"],
)
ACTIVE_STREAMS = Gauge("travel_active_streams", "AG-UI streams open right now.")
LLM_REQUESTS = Counter(
    "travel_llm_requests_total",
    "LLM requests by provider and outcome (ok, error, cancelled).",
    ["provider", "outcome"],
)
LLM_ERRORS = Counter(
    "travel_llm_errors_total",
    "Failed LLM requests by provider and kind (timeout, connection, auth, rate_limited, "
    "not_found, server_error, other).",
    ["provider", "kind"],
)
LLM_REQUEST_DURATION = Histogram(
    "travel_llm_request_duration_seconds", "LLM request duration by provider.", ["provider"]
)
LLM_TOKENS = Counter(
    "travel_llm_tokens_total",
    "LLM tokens used by provider and kind (input, output).",
    ["provider", "kind"],
)
PLACE_SEARCH_DURATION = Histogram(
    "travel_place_search_duration_seconds",
    "Place search duration by provider.",
    ["provider"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PLACE_SEARCH_RESULTS = Histogram(
    "travel_place_search_results",
    "Places returned per search query, by provider.",
    ["provider"],
    buckets=(0, 1, 2, 5, 10, 20),
)
PLACE_SEARCH_ERRORS = Counter(
    "travel_place_search_errors_total", "Failed place searches by provider.", ["provider"]
)
