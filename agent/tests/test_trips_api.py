"""The REST API for manual edits, and that the agent sees them on its next turn."""

from __future__ import annotations

from agent_kit import PLAN_TEXT, AgentClient, new_thread, text_of


async def test_select_a_trip(client: AgentClient) -> None:
    thread = new_thread()
    r = await client.http.put(f"/threads/{thread}/selected-trip", json={"trip_id": "2"})
    assert r.status_code == 200
    assert r.json()["selected_trip_id"] == "2"
    assert (await client.trips(thread))["selected_trip_id"] == "2"


async def test_select_unknown_trip_is_404(client: AgentClient) -> None:
    r = await client.http.put(f"/threads/{new_thread()}/selected-trip", json={"trip_id": "99"})
    assert r.status_code == 404
    assert "no trip" in r.json()["detail"]


async def test_add_edit_delete_a_place_by_hand(client: AgentClient) -> None:
    thread = new_thread()
    base = f"/threads/{thread}/trips/2/places"
    r = await client.http.post(
        base,
        json={
            "name": "Café de Flore",
            "address": "172 Bd Saint-Germain",
            "latitude": 48.854,
            "longitude": 2.3325,
            "rating": 4.2,
            "description": "Historic café",
        },
    )
    assert r.status_code == 201, r.text
    place = r.json()
    data = await client.trips(thread)
    assert data["trips"][1]["places"][-1] == place
    r = await client.http.patch(f"{base}/{place['id']}", json={"name": "Café de Flore (terrace)"})
    assert r.status_code == 200
    assert r.json()["name"] == "Café de Flore (terrace)"
    assert r.json()["latitude"] == 48.854
    r = await client.http.delete(f"{base}/{place['id']}")
    assert r.status_code == 204
    names = [p["name"] for p in (await client.trips(thread))["trips"][1]["places"]]
    assert "Café de Flore (terrace)" not in names


async def test_invalid_coordinates_are_422_and_nothing_changes(client: AgentClient) -> None:
    thread = new_thread()
    before = await client.trips(thread)
    r = await client.http.post(
        f"/threads/{thread}/trips/1/places",
        json={"name": "Nowhere", "latitude": 91, "longitude": 0},
    )
    assert r.status_code == 422
    assert "latitude" in r.json()["detail"]
    r = await client.http.patch(f"/threads/{thread}/trips/1/places/1", json={"longitude": -181})
    assert r.status_code == 422
    r = await client.http.patch(f"/threads/{thread}/trips/1/places/1", json={"name": None})
    assert r.status_code == 422
    assert await client.trips(thread) == before


async def test_unknown_trip_or_place_is_404(client: AgentClient) -> None:
    thread = new_thread()
    r = await client.http.post(
        f"/threads/{thread}/trips/nope/places", json={"name": "X", "latitude": 1, "longitude": 1}
    )
    assert r.status_code == 404
    r = await client.http.delete(f"/threads/{thread}/trips/1/places/nope")
    assert r.status_code == 404
    assert "no place" in r.json()["detail"]


async def test_bad_thread_id_is_422(client: AgentClient) -> None:
    r = await client.http.get("/threads/short/trips")
    assert r.status_code == 422


async def test_edits_wait_for_a_pending_approval(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, PLAN_TEXT)
    r = await client.http.delete(f"/threads/{thread}/trips/1/places/1")
    assert r.status_code == 409
    assert "approve or cancel" in r.json()["detail"]


async def test_the_agent_knows_about_a_manual_edit(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, "hello")
    r = await client.http.patch(f"/threads/{thread}/trips/1/places/2", json={"name": "Bryant Park"})
    assert r.status_code == 200
    listing = text_of(await client.run(thread, "List my trips"))
    assert "Bryant Park" in listing and "Central Park" not in listing
    # and the next change is built on the edited trip
    await client.run(thread, "Remove Bryant Park from the NYC trip")
    await client.approve(thread)
    names = [p["name"] for p in (await client.trips(thread))["trips"][0]["places"]]
    assert names == ["Empire State Building", "Times Square"]


async def test_export_a_trip_as_geojson(client: AgentClient) -> None:
    r = await client.http.get(f"/threads/{new_thread()}/trips/1/export")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    data = r.json()
    assert data["type"] == "FeatureCollection"
    assert data["features"][0]["geometry"]["coordinates"] == [-73.985428, 40.748817]


async def test_openapi_docs(client: AgentClient) -> None:
    r = await client.http.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/copilotkit" in paths and "/threads/{thread_id}/trips" in paths
    assert (await client.http.get("/docs")).status_code == 200
