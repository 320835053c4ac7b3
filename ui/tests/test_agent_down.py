"""When no agent answers: the page still loads and says so; the API answers with sentences;
several agent URLs fail over to one that works."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
from fastapi import FastAPI

from ui_harness import (
    AGENT,
    Browser,
    sse_events,
    ui_settings,
)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: connecting is refused


async def test_page_loads_with_a_clear_message_and_no_trips(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    down = f"http://127.0.0.1:{closed_port()}/copilotkit"
    ui = make_ui(ui_settings(remote_action_url=down), transport=httpx.AsyncHTTPTransport())
    b = make_browser(ui)
    page = await b.open_page()
    assert "The planner is unavailable right now." in page.text
    assert '"available": false' in page.text and '"state": null' in page.text
    assert 'id="banner-down" role="alert" hidden' not in page.text  # the banner shows

    ready = await b.http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert (await b.http.get("/healthz")).status_code == 200

    state = await b.http.get("/api/state")
    assert state.status_code == 503
    assert state.json()["detail"].startswith("The planner is unavailable right now.")

    response = await b.http.post("/api/chat", json={"message": "hi"}, headers=b.headers())
    assert response.status_code == 200
    events = sse_events(response.text)
    assert [(e["type"], e["code"]) for e in events] == [("RUN_ERROR", "agent_unavailable")]

    metrics = (await b.http.get("/metrics")).text
    # The page's two reads and its conversation record, the state read and the chat.
    assert "travel_ui_agent_unavailable_total 5.0" in metrics


class _RoutedTransport(httpx.AsyncBaseTransport):
    """Real refusals for one agent address, the in-process agent for the other."""

    def __init__(self, agent: httpx.AsyncBaseTransport) -> None:
        self.agent = agent
        self.network = httpx.AsyncHTTPTransport()
        self.hosts: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        if request.url.host == "agent":
            return await self.agent.handle_async_request(request)
        return await self.network.handle_async_request(request)


async def test_a_dead_agent_replica_is_skipped(
    make_ui: Callable[..., FastAPI],
    make_browser: Callable[[FastAPI], Browser],
    agent_app: FastAPI,
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/copilotkit"
    transport = _RoutedTransport(httpx.ASGITransport(app=agent_app))
    ui = make_ui(ui_settings(remote_action_url=f"{dead},{AGENT}/copilotkit"), transport=transport)
    b = make_browser(ui)
    page = await b.open_page()
    assert "Business Trip to NYC" in page.text
    for _ in range(4):  # round-robin starts on each replica in turn
        assert (await b.http.get("/api/state")).status_code == 200
        events = sse_events(
            (
                await b.http.post(
                    "/api/chat", json={"message": "List my trips"}, headers=b.headers()
                )
            ).text
        )
        assert events[-1]["type"] == "RUN_FINISHED"
    assert "127.0.0.1" in transport.hosts and "agent" in transport.hosts
    ready = await b.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["llm_provider"] == "offline"
    assert ready.json()["places_provider"] == "offline"
    assert ready.json()["routing_provider"] == "offline"


async def test_the_agent_token_is_sent_when_set(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    seen: list[httpx.Request] = []

    def agent(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503, json={"detail": "storage unavailable"})

    ui = make_ui(ui_settings(agent_api_token="s3cret-token"), transport=httpx.MockTransport(agent))
    b = make_browser(ui)
    await b.http.get("/", headers={"X-Request-ID": "req-42"})
    assert seen and all(r.headers["authorization"] == "Bearer s3cret-token" for r in seen)
    assert any(r.headers.get("x-request-id") == "req-42" for r in seen)


class _DeadPodFirst(httpx.AsyncBaseTransport):
    """One agent URL (a Kubernetes Service) whose next connection lands on a dead pod:
    refused, or a 503 from a pod that is draining. After that, the real agent."""

    def __init__(self, agent: httpx.AsyncBaseTransport, failure: str) -> None:
        self.agent = agent
        self.failure = failure
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls == 1:
            if self.failure == "refused":
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(503, json={"detail": "This planner instance is restarting."})
        return await self.agent.handle_async_request(request)


async def test_a_single_agent_url_gets_a_second_try(
    make_ui: Callable[..., FastAPI],
    make_browser: Callable[[FastAPI], Browser],
    agent_app: FastAPI,
) -> None:
    for failure in ("refused", "draining"):
        transport = _DeadPodFirst(httpx.ASGITransport(app=agent_app), failure)
        b = make_browser(make_ui(transport=transport))
        await b.open_page()
        transport.calls = 0  # the next call meets the dead pod first
        response = await b.http.post(
            "/api/chat", json={"message": "List my trips"}, headers=b.headers()
        )
        events = sse_events(response.text)
        assert events[-1]["type"] == "RUN_FINISHED", (failure, events[-1])
        assert transport.calls == 2
