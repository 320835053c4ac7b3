"""The chat and resume streams: SSE framing, headers, heartbeats, relay guarantees."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
from collections.abc import Callable
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from travel_ui.app import create_app

from ui_harness import (
    PLAN,
    Browser,
    sse_events,
    ui_settings,
)


async def test_chat_streams_ag_ui_events_with_proxy_friendly_headers(browser: Browser) -> None:
    response = await browser.http.post(
        "/api/chat", json={"message": PLAN}, headers=browser.headers()
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-encoding" not in response.headers  # never compressed: it would buffer
    # Every event is one `data: <json>` block.
    blocks = [b for b in response.text.split("\n\n") if b.strip()]
    assert all(b.startswith(("data: ", ":")) for b in blocks)
    events = sse_events(response.text)
    types = [e["type"] for e in events]
    assert types[0] == "RUN_STARTED"
    assert types[-1] == "RUN_FINISHED"
    finished = events[-1]
    assert finished["outcome"]["type"] == "interrupt"
    proposal = finished["outcome"]["interrupts"][0]["metadata"]["langgraph"]["raw"]
    assert proposal["action"] == "add_trips"
    progress = [
        e["snapshot"]["search_progress"]
        for e in events
        if e["type"] == "STATE_SNAPSHOT" and e["snapshot"].get("search_progress")
    ]
    assert progress and all(item["done"] for item in progress[-1])


async def test_approving_a_subset_through_resume(browser: Browser) -> None:
    events = await browser.chat(PLAN)
    interrupt = events[-1]["outcome"]["interrupts"][0]
    after = interrupt["metadata"]["langgraph"]["raw"]["changes"][0]["after"]
    chosen = [p["id"] for p in after["places"][:2]]
    response = await browser.http.post(
        "/api/resume",
        json={"interrupt_id": interrupt["id"], "approved": True, "place_ids": chosen},
        headers=browser.headers(),
    )
    resumed = sse_events(response.text)
    assert resumed[-1]["type"] == "RUN_FINISHED"
    state = await browser.state()
    trip = next(t for t in state["trips"] if t["id"] == after["id"])
    assert [p["id"] for p in trip["places"]] == chosen
    assert state["pending_approval"] is None
    history = (await browser.http.get("/api/history")).json()["items"]
    approval = next(i for i in history if i["type"] == "approval")
    assert approval["decision"] == "partial"
    # The agent names them "trip/place" in history (bare ids in the resume were accepted).
    assert [i.rpartition("/")[2] for i in approval["approved_place_ids"]] == chosen


async def test_cancel_leaves_trips_as_they_were(browser: Browser) -> None:
    before = await browser.state()
    events = await browser.chat(PLAN)
    interrupt_id = events[-1]["outcome"]["interrupts"][0]["id"]
    pending = (await browser.state())["pending_approval"]
    assert pending["interrupt_id"] == interrupt_id
    response = await browser.http.post(
        "/api/resume",
        json={"interrupt_id": interrupt_id, "approved": False},
        headers=browser.headers(),
    )
    assert sse_events(response.text)[-1]["type"] == "RUN_FINISHED"
    after = await browser.state()
    assert after["trips"] == before["trips"]
    assert after["pending_approval"] is None


async def test_agent_refusals_arrive_as_run_error_sentences(browser: Browser) -> None:
    response = await browser.http.post(
        "/api/resume",
        json={"interrupt_id": "nothing-pending", "approved": True},
        headers=browser.headers(),
    )
    events = sse_events(response.text)
    assert [e["type"] for e in events] == ["RUN_ERROR"]
    assert events[0]["code"] == "agent_http_409"
    assert "no change waiting for your approval" in events[0]["message"]


async def test_each_finished_message_gets_its_markdown_rendered(browser: Browser) -> None:
    events = await browser.chat("List my trips")
    ends = [e["messageId"] for e in events if e["type"] == "TEXT_MESSAGE_END"]
    rendered = {
        e["value"]["messageId"]: e["value"]["html"]
        for e in events
        if e["type"] == "CUSTOM" and e["name"] == "travel_ui.markdown"
    }
    assert ends and set(ends) <= set(rendered)
    html = rendered[ends[-1]]
    assert "<strong>Business Trip to NYC</strong>" in html and "<li>" in html


# -- a slow agent: heartbeats and broken streams ---------------------------------------------


def slow_agent(pause: float, *, finish: bool = True) -> Starlette:
    """An agent that thinks for `pause` seconds between two events, as a slow LLM would, and
    may break off without a terminal event. Shaped like the agent's AG-UI stream."""

    async def run(request: Request) -> StreamingResponse:
        body: dict[str, Any] = await request.json()

        async def events() -> Any:
            start = {"type": "RUN_STARTED", "threadId": body["threadId"], "runId": body["runId"]}
            yield f"data: {json.dumps(start)}\n\n"
            await asyncio.sleep(pause)
            if finish:
                done = {**start, "type": "RUN_FINISHED"}
                yield f"data: {json.dumps(done)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(routes=[Route("/copilotkit", run, methods=["POST"])])


async def test_heartbeats_keep_a_quiet_stream_alive(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    ui = make_ui(
        ui_settings(sse_heartbeat_seconds=0.05),
        transport=httpx.ASGITransport(app=slow_agent(0.6)),
    )
    b = make_browser(ui)
    await b.open_page()
    response = await b.http.post("/api/chat", json={"message": "hi"}, headers=b.headers())
    lines = response.text.split("\n")
    assert any(line.startswith(": ping") for line in lines), response.text
    assert [e["type"] for e in sse_events(response.text)] == ["RUN_STARTED", "RUN_FINISHED"]


async def test_a_stream_that_breaks_off_ends_with_run_error(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    ui = make_ui(transport=httpx.ASGITransport(app=slow_agent(0, finish=False)))
    b = make_browser(ui)
    await b.open_page()
    response = await b.http.post("/api/chat", json={"message": "hi"}, headers=b.headers())
    events = sse_events(response.text)
    assert [e["type"] for e in events] == ["RUN_STARTED", "RUN_ERROR"]
    assert events[-1]["code"] == "stream_incomplete"
    assert events[-1]["message"].startswith("The connection to the planner broke off")


# -- the stop button: the browser goes away, the agent's request is cancelled -----------------


async def test_a_browser_that_goes_away_cancels_the_agent_request() -> None:
    upstream_closed = asyncio.Event()
    upstream_started = asyncio.Event()

    async def run(request: Request) -> StreamingResponse:
        body = await request.json()

        async def events() -> Any:
            try:
                start = {"type": "RUN_STARTED", "threadId": body["threadId"], "runId": "r"}
                yield f"data: {json.dumps(start)}\n\n"
                upstream_started.set()
                for _ in range(400):  # a long turn, unless the ui hangs up first
                    await asyncio.sleep(0.05)
                    yield ": thinking\n\n"
            finally:
                upstream_closed.set()

        return StreamingResponse(events(), media_type="text/event-stream")

    def port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    agent_port, ui_port = port(), port()
    agent = Starlette(routes=[Route("/copilotkit", run, methods=["POST"])])
    ui = create_app(ui_settings(remote_action_url=f"http://127.0.0.1:{agent_port}/copilotkit"))
    servers = [
        uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=p, log_level="warning"))
        for app, p in ((agent, agent_port), (ui, ui_port))
    ]
    # Two servers in one process each install (and later restore) SIGINT/SIGTERM handlers;
    # finishing in any order they can leave the first one's handler behind, whose server
    # says "should exit" -- and sse-starlette ends every later stream in this process when
    # it finds that. Put the handlers back as they were.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    tasks = [asyncio.create_task(s.serve()) for s in servers]
    try:
        while not all(s.started for s in servers):  # noqa: ASYNC110 (uvicorn exposes a flag)
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ui_port}") as http:
            b = Browser(http)
            await b.open_page()
            async with http.stream(
                "POST", "/api/chat", json={"message": "hi"}, headers=b.headers()
            ) as response:
                async for line in response.aiter_lines():
                    if "RUN_STARTED" in line:
                        break  # the person pressed stop
        await asyncio.wait_for(upstream_started.wait(), 10)
        await asyncio.wait_for(upstream_closed.wait(), 10)
    finally:
        for s in servers:
            s.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.gather(*tasks)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
