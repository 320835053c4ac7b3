"""What operators see: Prometheus metrics with the labels docs/operations.md describes,
JSON logs with request and thread ids that never carry secrets or message text, and
optional OpenTelemetry tracing that costs nothing when off."""

from __future__ import annotations

import json
import signal
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from testsupport.no_tracing import run_without_tracing
from travel_agent import metrics
from travel_agent.app import create_app
from travel_agent.models import Place
from travel_agent.places.base import SearchResult
from travel_agent.places.measured import MeasuredPlaces

from agent_kit import PLAN_TEXT, AgentClient, make_settings, new_thread
from live import AgentProcess
from pg import temp_database
from scripted import ScriptedModel
from slow_openai import SlowChatServer


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


class FailingModel(ScriptedModel):
    def answer(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the model fell over")


async def test_metrics_cover_runs_approvals_searches_and_http(client: AgentClient) -> None:
    before = samples((await client.http.get("/metrics")).text)
    thread, other = new_thread(), new_thread()
    await client.run(thread, PLAN_TEXT)  # search (offline gazetteer), then an approval
    pending = (await client.trips(thread))["pending_approval"]
    first = pending["changes"][0]["after"]["places"][0]["id"]
    await client.approve(thread, [first])  # a partial approval
    await client.run(other, PLAN_TEXT)
    await client.run(other, "Delete the NYC trip", expect=409)  # refused
    await client.cancel(other)
    await client.run(other, "List my trips")
    after = samples((await client.http.get("/metrics")).text)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    runs = "travel_agent_runs_total"
    assert delta(runs, outcome="interrupted") == 2
    assert delta(runs, outcome="finished") == 3
    assert delta(runs, outcome="refused") == 1
    approvals = "travel_approvals_total"
    assert delta(approvals, action="add_trips", decision="partial") == 1
    assert delta(approvals, action="add_trips", decision="cancelled") == 1
    searches = delta("travel_place_search_duration_seconds_count", provider="offline")
    assert searches >= 2
    assert delta("travel_place_search_results_count", provider="offline") == searches
    assert value(after, "travel_active_streams") == 0
    http_count = "http_request_duration_seconds_count"
    route = "/threads/{thread_id}/trips"
    assert delta(http_count, method="GET", route=route, status="200") == 3
    assert delta(http_count, method="POST", route="/copilotkit", status="409") == 1
    assert not any(thread in str(key) or other in str(key) for key in after)


async def test_a_failed_run_is_counted_as_error(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path), model=FailingModel(script=[], seen=[]))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            before = samples((await http.get("/metrics")).text)
            events = await AgentClient(http).run(new_thread(), "hello")
            after = samples((await http.get("/metrics")).text)
    assert events[-1]["type"] == "RUN_ERROR"
    assert "fell over" not in events[-1]["message"]  # the detail is for the logs
    runs = "travel_agent_runs_total"
    assert value(after, runs, outcome="error") - value(before, runs, outcome="error") == 1


def test_llm_metrics_have_the_documented_labels() -> None:
    # Recorded by the LLM provider's usage callback (tested with it in test_providers_llm).
    assert metrics.LLM_REQUESTS._labelnames == ("provider", "outcome")
    assert metrics.LLM_ERRORS._labelnames == ("provider", "kind")
    assert metrics.LLM_REQUEST_DURATION._labelnames == ("provider",)
    assert metrics.LLM_TOKENS._labelnames == ("provider", "kind")
    assert metrics.APPROVALS._labelnames == ("action", "decision")
    assert metrics.HTTP_REQUEST_DURATION._labelnames == ("method", "route", "status")


class NamedPlaces:
    def __init__(self, name: str) -> None:
        self.name = name

    async def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult:
        place = Place(id="p", name="P", latitude=1, longitude=1)
        return SearchResult(query=query, places=[place])

    async def aclose(self) -> None:
        return None


@pytest.mark.parametrize(("name", "recorded"), [("offline", 1), ("google", 0), ("osm", 0)])
async def test_place_searches_are_counted_once(name: str, recorded: int) -> None:
    """The HTTP providers record their own searches (places/http.py); the wrapper records
    the rest, so each search is counted exactly once."""
    before = samples(metrics_text())
    await MeasuredPlaces(NamedPlaces(name)).search("museums")
    after = samples(metrics_text())
    key = "travel_place_search_duration_seconds_count"
    assert value(after, key, provider=name) - value(before, key, provider=name) == recorded


def metrics_text() -> str:
    from prometheus_client import generate_latest

    return generate_latest().decode()


# ---------------------------------------------------------------- logs (real process)

SECRETS = {
    "OPENAI_API_KEY": "sk-proj-SECRETopenaiKEY0123456789",
    "GOOGLE_MAPS_API_KEY": "AIzaSECRETgoogleKEY0123456789",
    "AGENT_API_TOKEN": "agent-token-SECRET-0123456789",
}
DB_PASSWORD = "db-pass-SECRET-0123456789"
MESSAGE_MARKER = "MSG-BODY-MARKER-4242"
COOKIE = "session=COOKIE-SECRET-0123456789"


@pytest.fixture
def pg_url_with_password() -> Iterator[str]:
    with temp_database() as url:  # the test server trusts 127.0.0.1: any password works
        yield url.replace("postgresql://postgres@", f"postgresql://postgres:{DB_PASSWORD}@")


@pytest.mark.slow
@pytest.mark.postgres
async def test_logs_are_json_with_ids_and_never_carry_secrets(
    tmp_path: Path, pg_url_with_password: str
) -> None:
    env = {
        **SECRETS,
        "DATABASE_URL": pg_url_with_password,
        "LLM_PROVIDER": "offline",
        "PLACES_PROVIDER": "offline",
        "LOG_LEVEL": "info",
    }
    auth = {"Authorization": f"Bearer {SECRETS['AGENT_API_TOKEN']}", "Cookie": COOKIE}
    thread = new_thread()
    with AgentProcess(env, tmp_path / "agent.log") as agent:
        async with httpx.AsyncClient(base_url=agent.url, timeout=60, headers=auth) as http:
            client = AgentClient(http)
            http.headers["X-Request-ID"] = "ui-req-plan-1"
            await client.run(thread, f"{PLAN_TEXT} {MESSAGE_MARKER}")
            http.headers["X-Request-ID"] = "ui-req-approve-1"
            await client.approve(thread)
            trip = (await client.trips(thread))["trips"][-1]
            place = {"name": f"Cafe {MESSAGE_MARKER}", "latitude": 41.9, "longitude": 12.5}
            added = await http.post(f"/threads/{thread}/trips/{trip['id']}/places", json=place)
            assert added.status_code == 201
            await client.run(thread, "x" * 10_001, expect=422)
            denied = await http.get(
                f"/threads/{thread}/trips", headers={"Authorization": "Bearer wrong"}
            )
            assert denied.status_code == 401
        assert agent.stop(signal.SIGTERM) == 0

    # The same thread again, now with the OpenAI provider really sending its key.
    with SlowChatServer() as llm:
        llm.release()
        openai_env = {**env, "LLM_PROVIDER": "openai", "OPENAI_BASE_URL": llm.url}
        with AgentProcess(openai_env, tmp_path / "agent.log") as agent:
            async with httpx.AsyncClient(base_url=agent.url, timeout=60, headers=auth) as http:
                http.headers["X-Request-ID"] = "ui-req-chat-1"
                events = await AgentClient(http).run(thread, f"Thanks! {MESSAGE_MARKER}")
            assert agent.stop(signal.SIGTERM) == 0
    assert events[-1]["type"] == "RUN_FINISHED"
    assert llm.keys == [f"Bearer {SECRETS['OPENAI_API_KEY']}"]

    raw = (tmp_path / "agent.log").read_text()
    for secret in [*SECRETS.values(), DB_PASSWORD, COOKIE, "COOKIE-SECRET", MESSAGE_MARKER]:
        assert secret not in raw, f"{secret!r} appears in the log"
    lines = [json.loads(line) for line in raw.splitlines() if line.strip()]
    assert all({"ts", "level", "event"} <= line.keys() for line in lines)
    runs = [line for line in lines if line["event"] == "run ended"]
    plan = next(line for line in runs if line["request_id"] == "ui-req-plan-1")
    assert plan["thread_id"] == thread and plan["outcome"] == "interrupted"
    approve = next(line for line in runs if line["request_id"] == "ui-req-approve-1")
    assert approve["thread_id"] == thread and approve["outcome"] == "finished"
    chat = next(line for line in runs if line["request_id"] == "ui-req-chat-1")
    assert chat["thread_id"] == thread and chat["outcome"] == "finished"
    usage = next(line for line in lines if line["event"] == "llm_usage")
    assert usage["input_tokens"] == 42 and usage["request_id"] == "ui-req-chat-1"
    requests = [line for line in lines if line["event"] == "request"]
    assert {"method", "route", "status", "duration_ms", "request_id"} <= requests[0].keys()
    assert all(thread not in line["route"] for line in requests)
    assert any(line["status"] == 401 for line in requests)


# ---------------------------------------------------------------- tracing

NO_OTEL = textwrap.dedent(
    """
    import asyncio, sys, tempfile
    from pathlib import Path

    sys.path.insert(0, sys.argv[1])

    import httpx
    from travel_agent import tracing
    from travel_agent.app import create_app
    from agent_kit import PLAN_TEXT, AgentClient, make_settings, new_thread

    async def main():
        app = create_app(make_settings(Path(tempfile.mkdtemp())))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
                client = AgentClient(http)
                thread = new_thread()
                await client.run(thread, PLAN_TEXT)
                await client.approve(thread)
                assert len((await client.trips(thread))["trips"]) == 3
                assert (await http.get("/metrics")).status_code == 200
        assert not tracing.enabled()
        loaded = sorted(m for m in sys.modules if m.startswith(BLOCKED))
        assert loaded == [], loaded
        print("served without OpenTelemetry")

    asyncio.run(main())
    """
)


@pytest.mark.slow
def test_tracing_off_needs_no_opentelemetry_at_all(tmp_path: Path) -> None:
    """With OTEL_EXPORTER_OTLP_ENDPOINT unset, a full flow runs with the OpenTelemetry
    SDK, exporters and instrumentations made impossible to import: none is loaded."""
    done = run_without_tracing(NO_OTEL, tmp_path, str(Path(__file__).parent))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "served without OpenTelemetry" in done.stdout


async def test_tracing_on_produces_run_llm_and_places_spans(tmp_path: Path) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from travel_agent import tracing

    exporter = InMemorySpanExporter()
    settings = make_settings(tmp_path, otel_exporter_otlp_endpoint="http://127.0.0.1:9")
    app = create_app(settings, span_exporter=exporter)
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    parent = f"00-{trace_id}-00f067aa0ba902b7-01"
    async with app.router.lifespan_context(app):
        assert tracing.enabled()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://a", headers={"traceparent": parent}
        ) as http:
            await AgentClient(http).run(new_thread(), PLAN_TEXT)
            await http.get("/healthz")
    assert not tracing.enabled()  # the lifespan's end turned it off again

    spans = exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}

    def ancestors(span: Any) -> list[str]:
        names = []
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            names.append(span.name)
        return names

    names = [s.name for s in spans]
    assert "POST /copilotkit" in names
    assert not any("healthz" in n for n in names)
    run = next(s for s in spans if s.name == "agent.run")
    assert run.attributes is not None and run.attributes["thread_id"].startswith("t-")
    assert "POST /copilotkit" in ancestors(run)
    llm = [s for s in spans if s.name == "llm.chat"]
    assert len(llm) >= 2 and all("agent.run" in ancestors(s) for s in llm)
    places = [s for s in spans if s.name == "places.search"]
    assert places and all("agent.run" in ancestors(s) for s in places)
    assert places[0].attributes is not None
    assert places[0].attributes["places.provider"] == "offline"
    assert places[0].attributes["places.results"] > 0
    # The ui's trace continues here: same trace id as its traceparent header.
    assert {format(s.context.trace_id, "032x") for s in spans} == {trace_id}
