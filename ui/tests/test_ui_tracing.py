"""Optional OpenTelemetry tracing in the ui: off by default (nothing of the SDK loaded, no
trace headers sent), on with OTEL_EXPORTER_OTLP_ENDPOINT (server spans, client spans to the
agent, and the trace context handed to the agent in `traceparent`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from travel_ui.app import create_app

from ui_harness import (
    Browser,
    ui_settings,
)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


class Recording(httpx.AsyncBaseTransport):
    """The real agent app, noting the headers of every request the ui sends it."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.seen: list[httpx.Headers] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.headers)
        return await self.inner.handle_async_request(request)


async def test_tracing_on_continues_the_trace_into_the_agent(
    agent_app: FastAPI, make_browser: Callable[[FastAPI], Browser]
) -> None:
    exporter = InMemorySpanExporter()
    agent = Recording(agent_app)
    settings = ui_settings(otel_exporter_otlp_endpoint="http://127.0.0.1:9")
    ui = create_app(settings, agent_transport=agent, span_exporter=exporter)
    async with ui.router.lifespan_context(ui):
        b = make_browser(ui)
        b.http.headers["traceparent"] = PARENT  # as the Gateway would send it
        await b.open_page()
        events = await b.chat("List my trips")
        assert events[-1]["type"] == "RUN_FINISHED"
        await b.http.get("/healthz")
        await b.http.get("/static/0/js/main.js")
    spans = exporter.get_finished_spans()
    names = [s.name for s in spans]
    assert "GET /" in names and "POST /api/chat" in names
    assert not any("healthz" in n or "static" in n for n in names)
    assert {format(s.context.trace_id, "032x") for s in spans} == {TRACE_ID}
    clients = [s for s in spans if s.kind.name == "CLIENT"]
    assert len(clients) >= 4  # the page's trips, history and readiness; the chat run
    # Every call to the agent carried the trace on, each from its own client span.
    parents = [h.get("traceparent", "") for h in agent.seen]
    assert parents and all(p.split("-")[1] == TRACE_ID for p in parents)
    client_ids = {format(s.context.span_id, "016x") for s in clients}
    assert {p.split("-")[2] for p in parents} <= client_ids


async def test_tracing_off_sends_no_trace_headers(
    agent_app: FastAPI, make_browser: Callable[[FastAPI], Browser]
) -> None:
    agent = Recording(agent_app)
    ui = create_app(ui_settings(), agent_transport=agent)
    b = make_browser(ui)
    b.http.headers["traceparent"] = PARENT
    await b.open_page()
    assert agent.seen and not any("traceparent" in h for h in agent.seen)


NO_OTEL = textwrap.dedent(
    """
    import asyncio, sys

    BLOCKED = ("opentelemetry.sdk", "opentelemetry.exporter", "opentelemetry.instrumentation")

    class NoOpenTelemetry:
        def find_spec(self, name, path=None, target=None):
            if name.startswith(BLOCKED):
                raise ImportError(f"{name} is blocked by this test")
            return None

    sys.meta_path.insert(0, NoOpenTelemetry())

    import httpx
    from travel_ui.app import create_app
    from travel_ui.settings import Settings

    def agent(request):
        return httpx.Response(200, json={"trips": [], "items": [], "status": "ready"})

    async def main():
        app = create_app(Settings(_env_file=None, ui_secret_key="k"), httpx.MockTransport(agent))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://ui") as http:
                assert (await http.get("/")).status_code == 200
                assert (await http.get("/api/state")).status_code == 200
        loaded = sorted(m for m in sys.modules if m.startswith(BLOCKED))
        assert loaded == [], loaded
        print("served without OpenTelemetry")

    asyncio.run(main())
    """
)


def test_tracing_off_needs_no_opentelemetry_at_all(tmp_path: Path) -> None:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("OTEL")}
    done = subprocess.run(
        [sys.executable, "-c", NO_OTEL],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "served without OpenTelemetry" in done.stdout
