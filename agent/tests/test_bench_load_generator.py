"""The benchmark's load generator (bench/agent_turn.py's client, bench/scripted_upstreams.py)
answers as before and counts what it should: the scripted answers are the same bytes for
the same call (a new completion id each), the bare HTTP client reads chunked and sized
bodies over kept-alive connections, and the CPU accounting finds the processes it names."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.testclient import TestClient

from bench import agent_turn, scripted_upstreams

from live import free_port

USER = {"role": "user", "content": "Plan a trip to Kyoto"}
STAGES = {
    "search": [USER],
    "add": [USER, {"role": "tool", "tool_call_id": "call_search", "content": "[]"}],
    "done": [USER, {"role": "tool", "tool_call_id": "call_add", "content": "ok"}],
}


def chunks(text: str) -> list[dict[str, Any]]:
    data = [line[6:] for line in text.split("\n") if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    return [json.loads(d) for d in data[:-1]]


@pytest.mark.parametrize("stage", list(STAGES))
def test_the_scripted_completion_is_openais_shape_with_a_new_id_per_response(stage: str) -> None:
    with TestClient(scripted_upstreams.app) as http:
        body = {"messages": STAGES[stage], "stream": True}
        first, second = (http.post("/v1/chat/completions", json=body) for _ in range(2))
    assert first.headers["content-type"].startswith("text/event-stream")
    a, b = chunks(first.text), chunks(second.text)
    assert len({c["id"] for c in a}) == 1 and len({c["id"] for c in b}) == 1
    assert a[0]["id"] != b[0]["id"]
    assert [{**c, "id": ""} for c in a] == [{**c, "id": ""} for c in b]
    assert a[0]["choices"][0]["delta"]["role"] == "assistant"
    assert a[-1]["choices"] == [] and a[-1]["usage"]["total_tokens"] == 908
    finish = a[-2]["choices"][0]["finish_reason"]
    calls = [d["tool_calls"][0] for c in a[1:-2] if "tool_calls" in (d := c["choices"][0]["delta"])]
    if stage == "done":
        assert finish == "stop" and not calls
        return
    assert finish == "tool_calls"
    assert (
        calls[0]["function"]["name"] == {"search": "search_for_places", "add": "add_trips"}[stage]
    )
    args = json.loads("".join(c["function"]["arguments"] for c in calls))
    if stage == "add":
        assert args["trips"][0]["places"][0]["name"] == "Kyoto Old Town Museum"
    else:
        assert args == {"queries": ["sights in Kyoto"]}


def test_the_scripted_place_search_answers_the_city_and_page_size() -> None:
    with TestClient(scripted_upstreams.app) as http:
        r = http.post("/v1/places:searchText", json={"textQuery": "sights in Paris", "pageSize": 2})
        missing = http.post("/v1/nowhere", json={})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert [p["displayName"]["text"] for p in r.json()["places"]] == [
        "Paris Old Town Museum",
        "Paris Cathedral",
    ]
    assert missing.status_code == 404


def test_sse_events_are_counted_in_the_bytes_and_the_last_one_parsed() -> None:
    raw = (
        b'data: {"type":"RUN_STARTED"}\n\n'
        b'data: {"type":"TEXT_MESSAGE_CONTENT","delta":"data: no"}\n\n'
        b'data: {"type":"RUN_FINISHED","outcome":{"interrupts":[{"id":"i"}]}}\n\n'
    )
    assert agent_turn.sse_events(raw) == (
        3,
        {"type": "RUN_FINISHED", "outcome": {"interrupts": [{"id": "i"}]}},
    )
    assert agent_turn.sse_events(b'data: {"type":"RUN_ERROR"}') == (1, {"type": "RUN_ERROR"})
    assert agent_turn.sse_events(b"") == (0, {})


@pytest.fixture
def upstream() -> Iterator[str]:
    """scripted_upstreams on a real uvicorn server (chunked SSE, sized JSON)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(scripted_upstreams.app, port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


async def test_the_bare_client_reads_what_httpx_reads_over_kept_alive_connections(
    upstream: str,
) -> None:
    body = {"messages": STAGES["add"], "stream": True}
    places = {"textQuery": "sights in Rome", "pageSize": 3}
    async with httpx.AsyncClient(base_url=upstream) as reference:
        sse = (await reference.post("/v1/chat/completions", json=body)).content
        sized = (await reference.post("/v1/places:searchText", json=places)).content
    http = agent_turn.Connections(upstream, 2)
    try:
        got = await asyncio.gather(*(http.post("/v1/chat/completions", body) for _ in range(4)))
        assert len(http.idle) == 2  # two connections, each used twice
        assert await http.post("/v1/places:searchText", places) == sized
        with pytest.raises(RuntimeError, match="HTTP 404"):
            await http.post("/v1/nowhere", {})
    finally:
        await http.aclose()
    ids = re.compile(rb"chatcmpl-\d+")
    assert {ids.sub(b"", g) for g in got} == {ids.sub(b"", sse)}
    assert got[0].endswith(b"data: [DONE]\n\n") and got[0].count(b"\ndata: {") == 60


def test_workers_are_the_parents_children_and_a_single_process_is_itself() -> None:
    code = "import subprocess, time; [subprocess.Popen(['sleep', '30']) for _ in range(2)]; " + (
        "time.sleep(30)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 30
        while len(agent_turn.worker_pids(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = agent_turn.worker_pids(parent.pid)
        assert len(workers) == 2 and parent.pid not in workers
        assert all(Path(f"/proc/{w}/stat").exists() for w in workers)
    finally:
        for w in agent_turn.worker_pids(parent.pid):
            subprocess.run(["kill", str(w)], check=False)
        parent.kill()
        parent.wait()
    assert agent_turn.worker_pids(parent.pid) == [parent.pid]  # gone: itself


def test_the_cpu_line_puts_the_generator_beside_the_agent() -> None:
    phase = {
        "cpu_ms_per_turn": 20.0,
        "client_cpu_ms_per_turn": 1.5,
        "upstream_cpu_ms_per_turn": 1.0,
        "generator_cpu_ms_per_turn": 2.5,
        "postgres_cpu_ms_per_turn": 2.0,
        "busy_cores": 1.1,
        "machine_busy_cores": 1.9,
        "machine_cores": 2.0,
        "worker_cpu_share": [0.45, 0.55],
    }
    assert agent_turn.cpu_line(phase) == (
        "CPU ms/turn: agent 20.0, client 1.5 + upstream 1.0 = generator 2.5, PostgreSQL 2.0"
        " | busy cores: these 1.10, machine 1.90 of 2.0 | workers' CPU share 45%/55%"
    )
    busy, total = agent_turn.machine_cpu_s()
    assert 0 < busy <= total
    assert agent_turn.Generator().cpu_s() == {"upstream": 0.0, "postgres": 0.0}


async def test_the_bare_client_sends_again_when_the_server_closed_an_idle_connection(
    upstream: str,
) -> None:
    http = agent_turn.Connections(upstream, 1)
    places = {"textQuery": "sights in Rome", "pageSize": 1}
    try:
        first = await http.post("/v1/places:searchText", places)
        (_, writer) = http.idle[0]
        writer.transport.abort()  # as when the server's keep-alive timeout closes it
        await asyncio.sleep(0)
        assert await http.post("/v1/places:searchText", places) == first
    finally:
        await http.aclose()
