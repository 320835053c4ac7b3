"""A prelude for a child Python process that must run without what tracing would add: the
OpenTelemetry SDK, exporters and instrumentations cannot be imported there. (FastAPI itself
needs the OpenTelemetry API, a few small modules.)"""

from __future__ import annotations

BLOCK_TRACING_IMPORTS = """
import sys

BLOCKED = ("opentelemetry.sdk", "opentelemetry.exporter", "opentelemetry.instrumentation")


class NoOpenTelemetry:
    def find_spec(self, name, path=None, target=None):
        if name.startswith(BLOCKED):
            raise ImportError(f"{name} is blocked by this test")
        return None


sys.meta_path.insert(0, NoOpenTelemetry())
"""
