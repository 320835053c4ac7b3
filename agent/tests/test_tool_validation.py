"""What the model proposes that does not validate goes back to it as a tool error and never
reaches state; after two failed repairs the person gets a clear message."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from langchain_core.messages import AIMessage, ToolMessage

from travel_agent.app import create_app
from travel_agent.errors import TOO_MANY_REPAIRS

from agent_kit import AgentClient, make_settings, new_thread, text_of
from scripted import ScriptedModel, SlowPlaces, call

GOOD_PLACE = {
    "id": "p1",
    "name": "Colosseum",
    "address": "Rome",
    "latitude": 41.89,
    "longitude": 12.49,
    "rating": 4.7,
    "description": "Amphitheatre",
}
GOOD_TRIP = {
    "id": "rome",
    "name": "Rome",
    "center_latitude": 41.9,
    "center_longitude": 12.5,
    "zoom": 13,
    "places": [GOOD_PLACE],
}

BAD_PROPOSALS = {
    "missing fields": {"trips": [{"id": "x", "name": "No centre"}]},
    "latitude out of range": {
        "trips": [{**GOOD_TRIP, "places": [{**GOOD_PLACE, "latitude": 123}]}]
    },
    "duplicate place ids": {"trips": [{**GOOD_TRIP, "places": [GOOD_PLACE, GOOD_PLACE]}]},
    "trip id already used": {"trips": [{**GOOD_TRIP, "id": "1"}]},
}


@pytest.fixture
async def scripted(tmp_path: Path):  # type: ignore[no-untyped-def]
    model = ScriptedModel(script=[], seen=[])
    app = create_app(make_settings(tmp_path), model=model)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            yield model, AgentClient(http)


@pytest.mark.parametrize("case", sorted(BAD_PROPOSALS))
async def test_invalid_proposal_goes_back_as_tool_error(scripted, case: str) -> None:  # type: ignore[no-untyped-def]
    model, client = scripted
    model.script[:] = [call("add_trips", BAD_PROPOSALS[case]), AIMessage(content="Sorry.")]
    thread = new_thread()
    before = await client.trips(thread)
    events = await client.run(thread, "make me a trip")
    assert events[-1].get("outcome", {"type": "success"})["type"] == "success", "no approval asked"
    assert await client.trips(thread) == before
    tool_error = model.seen[1][-1]
    assert isinstance(tool_error, ToolMessage) and tool_error.status == "error"
    assert "add_trips" in tool_error.content or "ids" in tool_error.content


async def test_unknown_trip_id_in_update_and_delete(scripted) -> None:  # type: ignore[no-untyped-def]
    model, client = scripted
    model.script[:] = [
        call("update_trips", {"trips": [{**GOOD_TRIP, "id": "404"}]}, 1),
        call("delete_trips", {"trip_ids": ["404"]}, 2),
        AIMessage(content="ok"),
    ]
    thread = new_thread()
    before = await client.trips(thread)
    await client.run(thread, "change things")
    errors = [m for m in model.seen[-1] if isinstance(m, ToolMessage)]
    assert [e.status for e in errors] == ["error", "error"]
    assert all("Unknown trip ids: 404" in e.content for e in errors)
    assert await client.trips(thread) == before


async def test_two_failed_repairs_end_with_a_clear_message(scripted) -> None:  # type: ignore[no-untyped-def]
    model, client = scripted
    bad = BAD_PROPOSALS["missing fields"]
    model.script[:] = [call("add_trips", bad, i) for i in range(5)]
    thread = new_thread()
    events = await client.run(thread, "make me a trip")
    assert TOO_MANY_REPAIRS in text_of(events)
    assert len(model.seen) == 3, "first try plus two repairs"
    # the thread still works afterwards
    model.script[:] = [AIMessage(content="Hello again")]
    assert "Hello again" in text_of(await client.run(thread, "hi"))


async def test_only_the_first_of_several_tool_calls_runs(scripted) -> None:  # type: ignore[no-untyped-def]
    model, client = scripted
    two = AIMessage(
        content="",
        tool_calls=[
            {"name": "select_trip", "args": {"trip_id": "2"}, "id": "a"},
            {"name": "delete_trips", "args": {"trip_ids": ["1"]}, "id": "b"},
        ],
    )
    model.script[:] = [two, AIMessage(content="done")]
    thread = new_thread()
    events = await client.run(thread, "go")
    assert events[-1].get("outcome", {"type": "success"})["type"] == "success"
    data = await client.trips(thread)
    assert data["selected_trip_id"] == "2" and len(data["trips"]) == 2


async def test_second_run_on_a_busy_thread_is_409(tmp_path: Path) -> None:
    places = SlowPlaces()
    model = ScriptedModel(
        script=[call("search_for_places", {"queries": ["x"]}), AIMessage(content="found")], seen=[]
    )
    app = create_app(make_settings(tmp_path), model=model, places=places)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            client = AgentClient(http)
            thread = new_thread()
            first = asyncio.create_task(client.run(thread, "search"))
            await asyncio.wait_for(places.entered.wait(), 10)
            refused = await client.run(thread, "another", expect=409)
            edit = await http.delete(f"/threads/{thread}/trips/1/places/1")
            other_thread_ok = await client.trips(new_thread())
            places.release.set()
            events = await asyncio.wait_for(first, 10)
    assert "still running" in refused[0]["detail"]
    assert edit.status_code == 409
    assert other_thread_ok["trips"]
    assert "found" in text_of(events)


async def test_search_is_biased_to_the_trip_being_extended(tmp_path: Path) -> None:
    from scripted import RecordingPlaces

    places = RecordingPlaces()
    model = ScriptedModel(
        script=[
            call("search_for_places", {"queries": ["parks in Paris"], "trip_id": "2"}),
            AIMessage(content="none"),
            call("search_for_places", {"queries": ["parks"]}, 1),
            AIMessage(content="none"),
        ],
        seen=[],
    )
    app = create_app(make_settings(tmp_path), model=model, places=places)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            thread = new_thread()
            await AgentClient(http).run(thread, "add parks to my Paris trip")
            await AgentClient(http).run(thread, "find parks")
    assert places.calls == [("parks in Paris", (48.8566, 2.3522)), ("parks", None)]
