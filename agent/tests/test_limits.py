"""Limits, each with a clear answer: message length, messages kept in the model's context,
trips per conversation and places per trip (through the agent's tools and the REST API),
body size on the REST API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from travel_agent.app import create_app

from agent_kit import AgentClient, last, make_settings, new_thread
from scripted import ScriptedModel, SlowPlaces, call


def place(i: int) -> dict[str, Any]:
    return {"id": f"p{i}", "name": f"Place {i}", "latitude": 41.9, "longitude": 12.5}


def trip(trip_id: str, places: int) -> dict[str, Any]:
    return {
        "id": trip_id,
        "name": f"Trip {trip_id}",
        "center_latitude": 41.9,
        "center_longitude": 12.5,
        "places": [place(i) for i in range(places)],
    }


class Limited:
    def __init__(self, model: ScriptedModel, client: AgentClient) -> None:
        self.model = model
        self.client = client


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[Limited]:
    model = ScriptedModel(script=[], seen=[])
    settings = make_settings(
        tmp_path,
        max_trips=3,
        max_places_per_trip=3,
        max_context_messages=4,
        max_message_chars=50,
        max_body_bytes=4096,
    )
    places = SlowPlaces()
    places.release.set()  # answers at once
    app = create_app(settings, model=model, places=places)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            yield Limited(model, AgentClient(http))


def orphans(context: list[BaseMessage]) -> list[ToolMessage]:
    """Tool results whose call is not in the context (providers reject those)."""
    calls = {c["id"] for m in context if isinstance(m, AIMessage) for c in m.tool_calls}
    return [m for m in context if isinstance(m, ToolMessage) and m.tool_call_id not in calls]


async def test_the_model_sees_at_most_max_context_messages(limited: Limited) -> None:
    thread = new_thread()
    limited.model.script[:] = [AIMessage(content=f"reply {i}") for i in range(6)]
    for i in range(6):
        await limited.client.run(thread, f"message {i}")
    assert len(limited.model.seen) == 6
    for context in limited.model.seen:
        assert len(context) <= 1 + 4  # the system prompt, then at most 4 messages
    latest = limited.model.seen[-1]
    assert isinstance(latest[-1], HumanMessage) and latest[-1].content == "message 5"
    assert [m.content for m in latest[1:]] == ["message 4", "reply 4", "message 5"]
    # Only the model's view is cut: the conversation itself is kept whole.
    items = (await limited.client.http.get(f"/threads/{thread}/history")).json()["items"]
    assert len(items) == 12


async def test_a_long_turn_is_cut_without_orphaned_tool_results(limited: Limited) -> None:
    """A turn longer than the context (search, propose, approve) still gives the model a
    context it can use: never a tool result without the call it answers."""
    thread = new_thread()
    limited.model.script[:] = [
        call("search_for_places", {"queries": ["museums in Rome"]}, 0),
        call("add_trips", {"trips": [trip("rome", 1)]}, 1),
        AIMessage(content="Done."),
    ]
    await limited.client.run(thread, "Plan Rome")
    await limited.client.approve(thread)
    assert len(limited.model.seen) == 3
    for context in limited.model.seen:
        assert len(context) <= 1 + 4
        assert orphans(context) == []


async def test_a_message_over_max_message_chars_is_refused(limited: Limited) -> None:
    thread = new_thread()
    events = await limited.client.run(thread, "x" * 51, expect=422)
    assert events[0]["detail"] == "Your message is too long: at most 50 characters."
    # Also when the text comes in parts.
    body = {
        "threadId": thread,
        "runId": "r",
        "messages": [
            {
                "id": "m",
                "role": "user",
                "content": [{"type": "text", "text": "x" * 30}, {"type": "text", "text": "y" * 30}],
            }
        ],
    }
    r = await limited.client.http.post("/copilotkit", json=body)
    assert r.status_code == 422 and "too long" in r.json()["detail"]
    assert (await limited.client.http.get(f"/threads/{thread}/history")).json()["items"] == []


async def _refused(
    limited: Limited, thread: str, tool: str, args: dict[str, Any], says: str
) -> list[dict[str, Any]]:
    """A turn in which the model calls `tool` with `args`: the result it is shown is an
    error saying `says`. The turn's events."""
    limited.model.script[:] = [call(tool, args), AIMessage(content="That was refused.")]
    events = await limited.client.run(thread, f"Try {tool}")
    told = limited.model.seen[-1][-1]
    assert isinstance(told, ToolMessage) and told.status == "error"
    assert says in str(told.content)
    return events


async def test_the_agent_cannot_go_over_max_trips(limited: Limited) -> None:
    thread = new_thread()  # starts with the two demo trips; the limit is 3
    before = await limited.client.trips(thread)
    two = {"trips": [trip("a", 1), trip("b", 1)]}
    events = await _refused(limited, thread, "add_trips", two, "at most 3 trips")
    assert last(events)["type"] == "RUN_FINISHED"
    after = await limited.client.trips(thread)
    assert after["trips"] == before["trips"] and after["pending_approval"] is None


async def test_the_agent_cannot_go_over_max_places_per_trip(limited: Limited) -> None:
    thread = new_thread()
    before = await limited.client.trips(thread)
    too_big = {**trip("1", 4), "name": "Business Trip to NYC"}
    for tool, args in [
        ("add_trips", {"trips": [trip("big", 4)]}),
        ("update_trips", {"trips": [too_big]}),
    ]:
        await _refused(limited, thread, tool, args, "at most 3 are allowed")
    after = await limited.client.trips(thread)
    assert after["trips"] == before["trips"] and after["pending_approval"] is None


async def test_rest_cannot_go_over_max_places_per_trip(limited: Limited) -> None:
    thread = new_thread()
    url = f"/threads/{thread}/trips/1/places"
    existing = len((await limited.client.trips(thread))["trips"][0]["places"])
    statuses = []
    for i in range(4):
        r = await limited.client.http.post(
            url, json={"name": f"P{i}", "latitude": 1, "longitude": 1}
        )
        statuses.append(r.status_code)
    allowed = max(0, 3 - existing)
    assert statuses == [201] * allowed + [422] * (4 - allowed)
    r = await limited.client.http.post(
        url, json={"name": "One more", "latitude": 1, "longitude": 1}
    )
    assert r.json()["detail"] == "A trip can hold at most 3 places."
    assert len((await limited.client.trips(thread))["trips"][0]["places"]) == max(3, existing)


async def test_rest_body_over_max_body_bytes_is_413(limited: Limited) -> None:
    thread = new_thread()
    before = await limited.client.trips(thread)
    r = await limited.client.http.post(
        f"/threads/{thread}/trips/1/places",
        json={"name": "Big", "latitude": 1, "longitude": 1, "description": "d" * 5000},
    )
    assert r.status_code == 413
    assert r.json()["detail"] == "The request body is too large (limit 4,096 bytes)."
    assert await limited.client.trips(thread) == before
