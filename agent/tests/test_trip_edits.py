"""Manual trip actions (create, rename, delete a trip; move a place) and the place search,
over the real REST API, on SQLite and PostgreSQL; and that the agent sees the edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from travel_agent.settings import Settings

from agent_kit import PLAN_TEXT, AgentClient, make_settings, new_thread, text_of


@pytest.fixture
def settings(tmp_path: Path, database: dict[str, Any]) -> Settings:
    return make_settings(tmp_path, max_trips=4, **database)


ROME = {"name": "Weekend in Rome", "center_latitude": 41.9, "center_longitude": 12.49}


async def test_create_rename_move_and_delete_a_trip_by_hand(client: AgentClient) -> None:
    thread = new_thread()
    r = await client.http.post(f"/threads/{thread}/trips", json=ROME)
    assert r.status_code == 201, r.text
    trip = r.json()
    assert trip["name"] == "Weekend in Rome" and trip["places"] == [] and trip["days"] == []
    state = await client.trips(thread)
    assert state["selected_trip_id"] == trip["id"]
    assert [t["name"] for t in state["trips"]][-1] == "Weekend in Rome"

    r = await client.http.patch(
        f"/threads/{thread}/trips/{trip['id']}", json={"name": "  Long weekend in Rome "}
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Long weekend in Rome"

    place = {"name": "Pantheon", "latitude": 41.8986, "longitude": 12.4769}
    r = await client.http.post(f"/threads/{thread}/trips/{trip['id']}/places", json=place)
    assert r.status_code == 201, r.text
    place_id = r.json()["id"]
    # Moving a place is an edit of its coordinates; the rest stays.
    r = await client.http.patch(
        f"/threads/{thread}/trips/{trip['id']}/places/{place_id}",
        json={"latitude": 41.899, "longitude": 12.477},
    )
    assert r.status_code == 200, r.text
    moved = next(
        p
        for t in (await client.trips(thread))["trips"]
        if t["id"] == trip["id"]
        for p in t["places"]
    )
    assert (moved["name"], moved["latitude"], moved["longitude"]) == ("Pantheon", 41.899, 12.477)

    r = await client.http.delete(f"/threads/{thread}/trips/{trip['id']}")
    assert r.status_code == 204
    state = await client.trips(thread)
    assert trip["id"] not in [t["id"] for t in state["trips"]]
    # The selection moves to a trip that is still there.
    assert state["selected_trip_id"] == state["trips"][0]["id"]


async def test_deleting_an_unselected_trip_keeps_the_selection(client: AgentClient) -> None:
    thread = new_thread()
    await client.http.put(f"/threads/{thread}/selected-trip", json={"trip_id": "2"})
    assert (await client.http.delete(f"/threads/{thread}/trips/1")).status_code == 204
    state = await client.trips(thread)
    assert state["selected_trip_id"] == "2"
    assert [t["id"] for t in state["trips"]] == ["2"]
    assert (await client.http.delete(f"/threads/{thread}/trips/2")).status_code == 204
    state = await client.trips(thread)
    assert state["trips"] == [] and state["selected_trip_id"] is None


async def test_refusals_say_what_is_wrong_and_change_nothing(client: AgentClient) -> None:
    thread = new_thread()
    before = await client.trips(thread)
    r = await client.http.patch(f"/threads/{thread}/trips/nope", json={"name": "X"})
    assert r.status_code == 404 and "no trip" in r.json()["detail"]
    r = await client.http.delete(f"/threads/{thread}/trips/nope")
    assert r.status_code == 404 and "no trip" in r.json()["detail"]
    r = await client.http.patch(f"/threads/{thread}/trips/1", json={"name": "   "})
    assert r.status_code == 422 and "name" in r.json()["detail"]
    r = await client.http.post(f"/threads/{thread}/trips", json={**ROME, "center_latitude": 95})
    assert r.status_code == 422 and "center_latitude" in r.json()["detail"]
    r = await client.http.post(f"/threads/{thread}/trips", json={**ROME, "id": "mine"})
    assert r.status_code == 422
    assert await client.trips(thread) == before
    # max_trips is 4 here: two demo trips, two more, then a sentence.
    for _ in range(2):
        assert (await client.http.post(f"/threads/{thread}/trips", json=ROME)).status_code == 201
    r = await client.http.post(f"/threads/{thread}/trips", json=ROME)
    assert r.status_code == 422 and "at most 4 trips" in r.json()["detail"]


async def test_deleting_a_scheduled_place_keeps_days_valid(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, "Plan a 2-day trip to Rome")
    await client.approve(thread)
    state = await client.trips(thread)
    rome = next(t for t in state["trips"] if t["days"])
    first = rome["days"][0]["place_ids"][0]
    r = await client.http.delete(f"/threads/{thread}/trips/{rome['id']}/places/{first}")
    assert r.status_code == 204
    # Renaming re-validates the trip: the day no longer names the deleted place.
    r = await client.http.patch(f"/threads/{thread}/trips/{rome['id']}", json={"name": "Roma"})
    assert r.status_code == 200, r.text
    assert first not in [pid for d in r.json()["days"] for pid in d["place_ids"]]
    assert len(r.json()["days"]) == len(rome["days"])


async def test_trip_edits_wait_for_a_pending_approval(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, PLAN_TEXT)
    for method, path, body in [
        ("POST", "/trips", ROME),
        ("PATCH", "/trips/1", {"name": "X"}),
        ("DELETE", "/trips/1", None),
    ]:
        r = await client.http.request(method, f"/threads/{thread}{path}", json=body)
        assert r.status_code == 409, (method, r.text)
        assert "approve or cancel" in r.json()["detail"]


async def test_the_agent_knows_about_manual_trip_edits(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, "hello")
    r = await client.http.post(f"/threads/{thread}/trips", json={**ROME, "name": "Tuscany"})
    assert r.status_code == 201
    assert (
        await client.http.patch(f"/threads/{thread}/trips/1", json={"name": "Big Apple"})
    ).status_code == 200
    assert (await client.http.delete(f"/threads/{thread}/trips/2")).status_code == 204
    listing = text_of(await client.run(thread, "List my trips"))
    assert "Tuscany" in listing and "Big Apple" in listing and "Paris" not in listing


async def test_search_places_by_name(client: AgentClient) -> None:
    r = await client.http.get(
        "/places/search", params={"q": "Sistine Chapel", "near": "41.9,12.45"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"] == "Sistine Chapel"
    first = body["places"][0]
    assert "Sistine" in first["name"]
    assert abs(first["latitude"] - 41.903) < 0.01 and abs(first["longitude"] - 12.454) < 0.01
    r = await client.http.get("/places/search", params={"q": "zzqxv nowhere at all"})
    assert r.status_code == 200
    assert r.json()["places"] == []
    for params in ({"q": ""}, {"q": "x", "near": "north"}, {"q": "x", "near": "95,10"}):
        r = await client.http.get("/places/search", params=params)
        assert r.status_code == 422, params
        assert r.json()["detail"]
