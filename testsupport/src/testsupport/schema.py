"""Hypothesis settings of the property-based API tests (schemathesis against a real process)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def schema_settings(max_examples: int) -> settings:
    """The same cases on every run (CI stays reproducible), no example database, no deadline
    (a real process answers over HTTP) and no health checks (the fixtures start processes)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
