"""The planning flows end to end through the AG-UI endpoint, on the offline planner."""

from __future__ import annotations

from agent_kit import AgentClient, last, new_thread, text_of

PLAN = "Plan a 3-day trip to Rome, I like museums and old churches"


def proposed_places(pending: dict) -> list[dict]:
    return [p for c in pending["changes"] for p in (c["after"] or {}).get("places", [])]


async def test_new_thread_starts_with_the_demo_trips(client: AgentClient) -> None:
    data = await client.trips(new_thread())
    assert [t["name"] for t in data["trips"]] == ["Business Trip to NYC", "Vacation in Paris"]
    assert data["selected_trip_id"] == "1"
    assert data["pending_approval"] is None


async def test_plan_searches_proposes_and_waits_for_approval(client: AgentClient) -> None:
    thread = new_thread()
    events = await client.run(thread, PLAN)
    types = [e["type"] for e in events]
    assert types[0] == "RUN_STARTED"
    finished = last(events)
    assert finished["type"] == "RUN_FINISHED"
    assert finished["outcome"]["type"] == "interrupt"
    interrupt = finished["outcome"]["interrupts"][0]
    assert interrupt["reason"] == "trips_approval"
    # search progress was streamed into state: one entry per query, each done at the end
    progress = [
        e["snapshot"]["search_progress"]
        for e in events
        if e["type"] == "STATE_SNAPSHOT" and e["snapshot"].get("search_progress")
    ]
    assert progress, "no search progress in state"
    assert any(not q["done"] for q in progress[0])
    assert all(q["done"] for q in progress[-1])
    # the tool calls were streamed name first, then argument fragments
    starts = [e["toolCallName"] for e in events if e["type"] == "TOOL_CALL_START"]
    assert starts == ["search_for_places", "add_trips"]
    data = await client.trips(thread)
    assert len(data["trips"]) == 2, "nothing may change before approval"
    pending = data["pending_approval"]
    assert pending["interrupt_id"] == interrupt["id"]
    assert pending["action"] == "add_trips"
    places = proposed_places(pending)
    assert 1 <= len(places) <= 10
    for p in places:  # near Rome
        assert abs(p["latitude"] - 41.9) < 0.5 and abs(p["longitude"] - 12.5) < 0.5


async def test_approve_all_adds_the_trip_and_selects_it(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, PLAN)
    proposal = (await client.trips(thread))["pending_approval"]
    events = await client.approve(thread)
    assert last(events)["type"] == "RUN_FINISHED"
    assert last(events).get("outcome", {"type": "success"})["type"] == "success"
    assert "Done" in text_of(events)
    data = await client.trips(thread)
    assert data["pending_approval"] is None
    new = data["trips"][-1]
    assert len(data["trips"]) == 3
    assert data["selected_trip_id"] == new["id"]
    assert [p["id"] for p in new["places"]] == [p["id"] for p in proposed_places(proposal)]


async def test_approve_a_subset_keeps_only_those_places(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, PLAN)
    places = proposed_places((await client.trips(thread))["pending_approval"])
    assert len(places) >= 3
    chosen = [places[0]["id"], places[2]["id"]]
    await client.approve(thread, chosen)
    data = await client.trips(thread)
    assert [p["id"] for p in data["trips"][-1]["places"]] == chosen
    history = (await client.http.get(f"/threads/{thread}/history")).json()["items"]
    card = next(i for i in history if i["type"] == "approval")
    assert card["decision"] == "partial"
    assert sorted(card["approved_place_ids"]) == sorted(
        f"{data['trips'][-1]['id']}/{pid}" for pid in chosen
    )


async def test_cancel_changes_nothing_and_is_not_retried(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, PLAN)
    before = await client.trips(thread)
    events = await client.cancel(thread)
    assert last(events)["type"] == "RUN_FINISHED"
    assert [e for e in events if e["type"] == "TOOL_CALL_START"] == [], "cancelled change retried"
    assert "instead" in text_of(events)
    after = await client.trips(thread)
    assert after["trips"] == before["trips"]
    assert after["pending_approval"] is None
    history = (await client.http.get(f"/threads/{thread}/history")).json()["items"]
    assert [i["decision"] for i in history if i["type"] == "approval"] == ["cancelled"]


async def test_remove_rename_delete_select_and_list(client: AgentClient) -> None:
    thread = new_thread()
    # remove a place: an update that needs approval
    events = await client.run(thread, "Remove Central Park from the NYC trip")
    assert last(events)["outcome"]["type"] == "interrupt"
    await client.approve(thread)
    nyc = (await client.trips(thread))["trips"][0]
    assert "Central Park" not in [p["name"] for p in nyc["places"]]
    # rename
    await client.run(thread, "Rename the Paris trip to Paris with friends")
    await client.approve(thread)
    data = await client.trips(thread)
    assert data["trips"][1]["name"] == "Paris with friends"
    assert data["selected_trip_id"] == "2", "an updated trip is selected"
    # select needs no approval
    events = await client.run(thread, "Show the NYC trip")
    assert last(events).get("outcome", {"type": "success"})["type"] == "success"
    assert (await client.trips(thread))["selected_trip_id"] == "1"
    # delete the selected trip: another one is selected
    await client.run(thread, "Delete the NYC trip")
    pending = (await client.trips(thread))["pending_approval"]
    assert pending["action"] == "delete_trips"
    assert pending["changes"][0]["before"]["name"] == "Business Trip to NYC"
    await client.approve(thread)
    data = await client.trips(thread)
    assert [t["name"] for t in data["trips"]] == ["Paris with friends"]
    assert data["selected_trip_id"] == "2"
    # list
    listing = text_of(await client.run(thread, "List my trips"))
    assert "Paris with friends" in listing and "Eiffel Tower" in listing


async def test_add_places_to_an_existing_trip_goes_through_approval(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, "Plan a trip to Rome")
    await client.approve(thread)
    rome = (await client.trips(thread))["trips"][-1]
    events = await client.run(thread, "Add a park to my Rome trip")
    assert last(events)["outcome"]["type"] == "interrupt"
    pending = (await client.trips(thread))["pending_approval"]
    assert pending["action"] == "update_trips"
    assert pending["changes"][0]["before"]["id"] == rome["id"]
    await client.approve(thread)
    grown = (await client.trips(thread))["trips"][-1]
    assert len(grown["places"]) > len(rome["places"])


async def test_unknown_place_gets_an_honest_answer(client: AgentClient) -> None:
    thread = new_thread()
    text = text_of(await client.run(thread, "Plan a trip to Atlantis"))
    assert "could not find" in text.lower()
    assert (await client.trips(thread))["pending_approval"] is None


async def test_no_location_asks_where(client: AgentClient) -> None:
    text = text_of(await client.run(new_thread(), "Plan a trip for me"))
    assert "Where would you like to go" in text


async def test_gibberish_shows_examples(client: AgentClient) -> None:
    text = text_of(await client.run(new_thread(), "qwerty uiop"))
    assert "didn't understand" in text and "Plan a 3-day trip to Rome" in text


async def test_demo_trips_can_be_turned_off(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from travel_agent.app import create_app

    from agent_kit import make_settings

    app = create_app(make_settings(tmp_path, demo_trips=False))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as h,
    ):
        data = (await h.get(f"/threads/{new_thread()}/trips")).json()
    assert data["trips"] == [] and data["selected_trip_id"] is None


async def test_state_snapshots_carry_trips_and_fresh_search_progress(client: AgentClient) -> None:
    thread = new_thread()
    first = await client.run(thread, "Plan a trip to Rome")
    await client.approve(thread)
    later = await client.run(thread, "List my trips")
    for events, trips in ((first, 2), (later, 3)):
        snapshots = [e["snapshot"] for e in events if e["type"] == "STATE_SNAPSHOT"]
        assert snapshots
        for snap in snapshots:
            assert set(snap) == {"trips", "selected_trip_id", "search_progress"}
            assert len(snap["trips"]) == trips
    assert all(
        s["snapshot"]["search_progress"] == [] for s in later if s["type"] == "STATE_SNAPSHOT"
    ), "a new turn does not show the last turn's searches"
