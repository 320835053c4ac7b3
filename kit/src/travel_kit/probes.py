"""Probe and scrape paths: open without a token, never traced, logged quietly."""

from __future__ import annotations

PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
