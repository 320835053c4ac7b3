"""The browser API for days (routes_days.py) against the real agent app (offline planner):
moves and the start date reach the agent, the day routes come back, bad input is refused
here with a sentence, and the agent's refusals pass through as sentences."""

from __future__ import annotations

from typing import Any

from testsupport.sse import sse_events

from ui_harness import Browser


async def _planned(browser: Browser) -> dict[str, Any]:
    """The offline planner's 3-day Rome trip, approved in full through the ui."""
    await browser.chat("Plan a 3-day trip to Rome")
    pending = (await browser.state())["pending_approval"]
    response = await browser.http.post(
        "/api/resume",
        json={"interrupt_id": pending["interrupt_id"], "approved": True},
        headers=browser.headers(),
    )
    assert sse_events(response.text)[-1]["type"] == "RUN_FINISHED"
    state = await browser.state()
    trip: dict[str, Any] = next(t for t in state["trips"] if t["id"] == state["selected_trip_id"])
    assert len(trip["days"]) == 3
    return trip


async def test_moves_dates_and_routes_go_through_the_agent(browser: Browser) -> None:
    trip = await _planned(browser)
    base = f"/api/trips/{trip['id']}"
    first = trip["days"][0]["place_ids"][0]
    response = await browser.http.post(
        f"{base}/place-moves",
        json={"place_ids": [first], "day": 3, "position": 1},
        headers=browser.headers(),
    )
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["days"][2]["place_ids"][0] == first
    state = await browser.state()
    assert next(t for t in state["trips"] if t["id"] == trip["id"]) == moved

    response = await browser.http.put(
        f"{base}/start-date", json={"start_date": "2027-03-12"}, headers=browser.headers()
    )
    assert response.status_code == 200, response.text
    assert [d["date"] for d in response.json()["days"]] == [
        "2027-03-12",
        "2027-03-13",
        "2027-03-14",
    ]

    response = await browser.http.get(f"{base}/routes")
    assert response.status_code == 200, response.text
    routes = response.json()
    assert [d["place_ids"] for d in routes["days"]] == [d["place_ids"] for d in moved["days"]]
    day = routes["days"][2]
    # Offline: estimates, drawn as straight legs through the stops.
    where = {p["id"]: [p["longitude"], p["latitude"]] for p in moved["places"]}
    assert day["estimate"] is True and day["provider"] == "offline"
    assert day["geometry"]["coordinates"] == [where[i] for i in day["place_ids"]]
    assert [leg["from_place_id"] for leg in day["legs"]] == day["place_ids"][:-1]
    assert day["distance_m"] == sum(leg["distance_m"] for leg in day["legs"]) > 0


async def test_day_changes_need_the_csrf_token(browser: Browser) -> None:
    for method, path, body in [
        ("POST", "/api/trips/1/place-moves", {"place_ids": ["1"], "day": None}),
        ("PUT", "/api/trips/1/start-date", {"start_date": None}),
    ]:
        response = await browser.http.request(method, path, json=body)
        assert response.status_code == 403, (method, path)


async def test_bad_day_input_is_refused_here_and_the_agents_refusals_pass_through(
    browser: Browser,
) -> None:
    trip = await _planned(browser)
    base = f"/api/trips/{trip['id']}"
    first = trip["days"][0]["place_ids"][0]
    ours = [
        ("POST", "/place-moves", {"place_ids": [first], "day": 0}, "day"),
        ("POST", "/place-moves", {"place_ids": [first], "day": True}, "day"),
        ("POST", "/place-moves", {"place_ids": [first], "day": 1, "position": 0}, "position"),
        ("POST", "/place-moves", {"place_ids": [], "day": 1}, "place_ids"),
        ("PUT", "/start-date", {"start_date": "12 March"}, "start_date"),
        ("PUT", "/start-date", {"start_date": 20270312}, "start_date"),
    ]
    for method, path, body, field in ours:
        response = await browser.http.request(
            method, f"{base}{path}", json=body, headers=browser.headers()
        )
        assert response.status_code == 422, (path, body, response.text)
        assert response.json()["detail"].startswith(f"Please check the {field}: "), body
    # The agent's own rules, as its sentences.
    response = await browser.http.post(
        f"{base}/place-moves", json={"place_ids": [first], "day": 7}, headers=browser.headers()
    )
    assert response.status_code == 422 and "there is no day 7" in response.json()["detail"]
    response = await browser.http.get("/api/trips/no-such-trip/routes")
    assert response.status_code == 404 and "no-such-trip" in response.json()["detail"]
    await browser.chat("Spread the Rome trip over 2 days")  # an approval is now pending
    response = await browser.http.put(
        f"{base}/start-date", json={"start_date": None}, headers=browser.headers()
    )
    assert response.status_code == 409 and "approve or cancel" in response.json()["detail"]
