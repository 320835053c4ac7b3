"""A prelude for a child Python process that must run without what tracing would add: the
OpenTelemetry SDK, exporters and instrumentations cannot be imported there. (FastAPI itself
needs the OpenTelemetry API, a few small modules.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def run_without_tracing(script: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`script` (after the prelude) in a new interpreter with no OTEL_* or OPENAI_*
    variables: tracing off, no real provider. Its exit status and output are returned."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL", "OPENAI"))}
    return subprocess.run(
        [sys.executable, "-c", BLOCK_TRACING_IMPORTS + script, *args],
        capture_output=True,
        text=True,
        timeout=300,  # a loaded machine imports slowly
        cwd=cwd,
        env=env,
    )
