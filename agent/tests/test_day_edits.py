"""The person's own day edits (moving places between days and within a day, the start
date) over the real REST API with the offline planner: the stored state changes, the next
chat turn sees it, and the refusals are the other manual edits' (404, 409, 422)."""

from __future__ import annotations

from typing import Any

from agent_kit import PLAN_TEXT, AgentClient, new_thread


async def _planned(client: AgentClient) -> tuple[str, dict[str, Any]]:
    """A thread with the offline planner's 3-day Rome trip, approved in full."""
    thread = new_thread()
    await client.run(thread, PLAN_TEXT)
    await client.approve(thread)
    trip = next(t for t in (await client.trips(thread))["trips"] if t["days"])
    assert len(trip["days"]) == 3 and all(d["place_ids"] for d in trip["days"])
    return thread, trip


def _stored(state: dict[str, Any], trip_id: str) -> dict[str, Any]:
    return next(t for t in state["trips"] if t["id"] == trip_id)


async def test_move_places_between_and_within_days_and_out_of_them(client: AgentClient) -> None:
    thread, trip = await _planned(client)
    base = f"/threads/{thread}/trips/{trip['id']}"
    day1, day2, _ = (d["place_ids"] for d in trip["days"])

    # Day 1's first place to the front of day 2.
    r = await client.http.post(
        f"{base}/place-moves", json={"place_ids": [day1[0]], "day": 2, "position": 1}
    )
    assert r.status_code == 200, r.text
    stored = _stored(await client.trips(thread), trip["id"])
    assert r.json() == stored
    assert stored["days"][0]["place_ids"] == day1[1:]
    assert stored["days"][1]["place_ids"] == [day1[0], *day2]

    # Within day 2: the first place to position 2 (its place in the day afterwards).
    r = await client.http.post(
        f"{base}/place-moves", json={"place_ids": [day1[0]], "day": 2, "position": 2}
    )
    assert r.status_code == 200, r.text
    assert r.json()["days"][1]["place_ids"] == [day2[0], day1[0], *day2[1:]]

    # Out of every day: "not yet scheduled"; the place stays in the trip.
    r = await client.http.post(f"{base}/place-moves", json={"place_ids": [day2[0]], "day": None})
    assert r.status_code == 200, r.text
    after = r.json()
    assert day2[0] not in [i for d in after["days"] for i in d["place_ids"]]
    assert day2[0] in [p["id"] for p in after["places"]]
    # The days keep their ids and titles: only the order changed.
    assert [d["id"] for d in after["days"]] == [d["id"] for d in trip["days"]]


async def test_set_and_clear_the_start_date(client: AgentClient) -> None:
    thread, trip = await _planned(client)
    path = f"/threads/{thread}/trips/{trip['id']}/start-date"
    r = await client.http.put(path, json={"start_date": "2027-03-12"})
    assert r.status_code == 200, r.text
    stored = _stored(await client.trips(thread), trip["id"])
    assert stored["start_date"] == "2027-03-12"
    assert [d["date"] for d in stored["days"]] == ["2027-03-12", "2027-03-13", "2027-03-14"]
    # The next chat turn runs on the edited trip.
    events = await client.run(thread, "List my trips")
    snapshot = [e for e in events if e["type"] == "STATE_SNAPSHOT"][-1]["snapshot"]
    assert _stored(snapshot, trip["id"])["start_date"] == "2027-03-12"
    r = await client.http.put(path, json={"start_date": None})
    assert r.status_code == 200, r.text
    stored = _stored(await client.trips(thread), trip["id"])
    assert stored["start_date"] is None and all(d["date"] is None for d in stored["days"])


async def test_day_edits_refuse_with_a_sentence(client: AgentClient) -> None:
    thread, trip = await _planned(client)
    base = f"/threads/{thread}/trips/{trip['id']}"
    first = trip["days"][0]["place_ids"][0]
    cases: list[tuple[str, str, Any, int, str]] = [
        ("POST", "/place-moves", {"place_ids": [first], "day": 9}, 422, "there is no day 9"),
        ("POST", "/place-moves", {"place_ids": ["nope"], "day": 1}, 404, "no place with id 'nope'"),
        ("POST", "/place-moves", {"place_ids": [first, first], "day": 1}, 422, "named once"),
        ("POST", "/place-moves", {"place_ids": [first], "day": 0}, 422, "day"),
        ("POST", "/place-moves", {"place_ids": [], "day": 1}, 422, "place_ids"),
        ("POST", "/place-moves", {"place_ids": [first], "day": 1, "x": 1}, 422, "x"),
        ("PUT", "/start-date", {"start_date": "12 March"}, 422, "start_date"),
        ("PUT", "/start-date", {}, 422, "start_date"),
    ]
    for method, path, body, status, words in cases:
        r = await client.http.request(method, f"{base}{path}", json=body)
        assert r.status_code == status, (path, body, r.text)
        assert words in r.json()["detail"], (body, r.json())
    r = await client.http.put(
        f"/threads/{thread}/trips/no-such-trip/start-date", json={"start_date": None}
    )
    assert r.status_code == 404 and "no trip with id 'no-such-trip'" in r.json()["detail"]
    # Nothing changed.
    assert _stored(await client.trips(thread), trip["id"]) == trip


async def test_a_trip_without_days_has_nowhere_to_move_to(client: AgentClient) -> None:
    thread = new_thread()
    state = await client.trips(thread)  # the demo trips: no days
    trip = state["trips"][0]
    r = await client.http.post(
        f"/threads/{thread}/trips/{trip['id']}/place-moves",
        json={"place_ids": [trip["places"][0]["id"]], "day": 1},
    )
    assert r.status_code == 422 and "has no days yet" in r.json()["detail"]


async def test_day_edits_wait_for_a_pending_approval(client: AgentClient) -> None:
    thread, trip = await _planned(client)
    await client.run(thread, "Spread the Rome trip over 2 days")
    assert (await client.trips(thread))["pending_approval"] is not None
    base = f"/threads/{thread}/trips/{trip['id']}"
    first = trip["days"][0]["place_ids"][0]
    for method, path, body in [
        ("POST", "/place-moves", {"place_ids": [first], "day": 2}),
        ("PUT", "/start-date", {"start_date": "2027-01-01"}),
    ]:
        r = await client.http.request(method, f"{base}{path}", json=body)
        assert r.status_code == 409, (path, r.text)
        assert "approve or cancel" in r.json()["detail"]
    assert _stored(await client.trips(thread), trip["id"]) == trip
