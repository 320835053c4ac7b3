"""The offline planner through the real graph and AG-UI endpoint: a sample of the phrasing
set (tests/data/planner_phrasings.yaml) and the sequences people go through (ask, approve
some or none, follow up)."""

from __future__ import annotations

from typing import Any

import pytest
from planner_cases import CASES

from agent_kit import AgentClient, last, new_thread, text_of

# New-trip requests and replies that do not depend on the trips a thread already has:
# every other one of them (the parser test runs them all).
SAMPLE = [
    c
    for c in CASES
    if c["intent"] in {"plan", "help", "unknown"}
    and c["outcome"] in {"add_trips", "answer"}
    and c["say"].strip()  # the service refuses an empty message before the planner sees it
][::2]


def tool_calls(events: list[dict[str, Any]]) -> list[str]:
    return [e["toolCallName"] for e in events if e["type"] == "TOOL_CALL_START"]


@pytest.mark.parametrize("case", SAMPLE, ids=[c["say"][:50] or "(empty)" for c in SAMPLE])
async def test_phrasing_through_the_graph(client: AgentClient, case: dict[str, Any]) -> None:
    thread = new_thread()
    before = await client.trips(thread)
    events = await client.run(thread, case["say"])
    assert last(events)["type"] == "RUN_FINISHED"
    after = await client.trips(thread)
    assert after["trips"] == before["trips"], "nothing changes before approval"
    calls = tool_calls(events)
    if case["outcome"] == "add_trips":
        assert calls == ["search_for_places", "add_trips"]
        assert after["pending_approval"]["action"] == "add_trips"
    else:
        assert "add_trips" not in calls and after["pending_approval"] is None
        text = text_of(events).lower()
        for words in case.get("reply") or []:
            assert str(words).lower() in text


async def test_remove_and_questions_never_add(client: AgentClient) -> None:
    thread = new_thread()
    events = await client.run(thread, "I'm not going to Paris after all")
    assert tool_calls(events) == ["delete_trips"]
    pending = (await client.trips(thread))["pending_approval"]
    assert [c["before"]["name"] for c in pending["changes"]] == ["Vacation in Paris"]
    await client.cancel(thread)
    events = await client.run(thread, "does my NYC trip have a museum?")
    assert tool_calls(events) == [] and "No" in text_of(events)
    events = await client.run(thread, "Strike Times Square from my NYC trip")
    assert tool_calls(events) == ["update_trips"]
    await client.approve(thread)
    nyc = (await client.trips(thread))["trips"][0]
    assert "Times Square" not in [p["name"] for p in nyc["places"]]
    assert len((await client.trips(thread))["trips"]) == 2


async def test_approving_none_does_not_say_done(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, "Plan a trip to Lisbon")
    events = await client.approve(thread, [])
    text = text_of(events)
    assert "Done" not in text and "added nothing" in text
    assert len((await client.trips(thread))["trips"]) == 2


async def test_several_cities_make_one_trip_each_near_its_city(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, "Plan trips to Rome and Florence")
    pending = (await client.trips(thread))["pending_approval"]
    trips = [c["after"] for c in pending["changes"]]
    assert [t["name"] for t in trips] == ["Trip to Rome", "Trip to Florence"]
    for t in trips:
        for p in t["places"]:
            assert abs(p["latitude"] - t["center_latitude"]) < 0.5
            assert abs(p["longitude"] - t["center_longitude"]) < 0.5
    events = await client.approve(thread)
    assert "Trip to Rome" in text_of(events) and "Trip to Florence" in text_of(events)
    assert len((await client.trips(thread))["trips"]) == 4


async def test_duplicates_and_kinds_near_a_place(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, "Plan a trip to Rome")
    await client.approve(thread)
    rome = (await client.trips(thread))["trips"][-1]
    first = rome["places"][0]["name"]
    events = await client.run(thread, f"Add the {first} to my Rome trip")
    assert tool_calls(events) == [] and "already" in text_of(events)
    events = await client.run(thread, "add two cafés near the Trevi Fountain to my Rome trip")
    assert "update_trips" not in tool_calls(events) and "cafés" in text_of(events)
    await client.run(thread, "add two churches near the Trevi Fountain to my Rome trip")
    pending = (await client.trips(thread))["pending_approval"]
    after = pending["changes"][0]["after"]["places"]
    added = after[len(rome["places"]) :]
    assert len(added) == 2
    assert "Trevi Fountain" not in [p["name"] for p in added]


async def test_ambiguous_city_asks_and_takes_the_answer(client: AgentClient) -> None:
    thread = new_thread()
    events = await client.run(thread, "Plan a trip to Valencia")
    assert tool_calls(events) == [] and "Which Valencia" in text_of(events)
    events = await client.run(thread, "Spain")
    assert tool_calls(events)[:1] == ["search_for_places"]
    text = text_of(events)
    assert "Spain" in text and "no curated landmarks" in text


async def test_wipe_everything_is_one_approval(client: AgentClient) -> None:
    thread = new_thread()
    events = await client.run(thread, "wipe all of them")
    assert tool_calls(events) == ["delete_trips"]
    pending = (await client.trips(thread))["pending_approval"]
    assert len(pending["changes"]) == 2
    await client.approve(thread)
    assert (await client.trips(thread))["trips"] == []
    listing = text_of(await client.run(thread, "show me everything I've planned"))
    assert "no trips" in listing


def _trip_named(trips: list[dict[str, Any]], word: str) -> dict[str, Any]:
    return next(t for t in trips if word in t["name"])


async def test_a_day_plan_is_made_reshaped_and_dated_with_approval(client: AgentClient) -> None:
    """Issue 11 on the embedded defaults: plan days, move a place, optimise, set dates;
    each change waits for approval, and nothing changes before it."""
    thread = new_thread()
    events = await client.run(thread, "Plan a 3-day trip to Rome, I like museums and churches")
    assert tool_calls(events) == ["search_for_places", "add_trips"]
    pending = (await client.trips(thread))["pending_approval"]
    assert len(pending["changes"][0]["after"]["days"]) == 3
    await client.approve(thread)
    rome = _trip_named((await client.trips(thread))["trips"], "Rome")
    days = rome["days"]
    assert len(days) == 3 and all(d["place_ids"] for d in days)
    scheduled = [p for d in days for p in d["place_ids"]]
    assert sorted(scheduled) == sorted(p["id"] for p in rome["places"])

    # Move the first place of day 1 to day 3.
    moved = days[0]["place_ids"][0]
    name = next(p["name"] for p in rome["places"] if p["id"] == moved)
    events = await client.run(thread, f"move {name} to day 3 of my Rome trip")
    assert tool_calls(events) == ["move_places"]
    assert _trip_named((await client.trips(thread))["trips"], "Rome")["days"] == days
    await client.approve(thread)
    days = _trip_named((await client.trips(thread))["trips"], "Rome")["days"]
    assert moved in days[2]["place_ids"] and moved not in days[0]["place_ids"]

    events = await client.run(thread, "optimise day 3 of my Rome trip")
    assert tool_calls(events) == ["optimise_day"]
    await client.approve(thread)
    after = _trip_named((await client.trips(thread))["trips"], "Rome")["days"]
    assert sorted(after[2]["place_ids"]) == sorted(days[2]["place_ids"])

    events = await client.run(thread, "my Rome trip starts on 2027-03-12")
    assert tool_calls(events) == ["set_start_date"]
    await client.cancel(thread)  # cancelled: no dates
    assert all(
        d["date"] is None
        for d in _trip_named((await client.trips(thread))["trips"], "Rome")["days"]
    )
    await client.run(thread, "my Rome trip starts on 2027-03-12")
    await client.approve(thread)
    rome = _trip_named((await client.trips(thread))["trips"], "Rome")
    assert rome["start_date"] == "2027-03-12"
    assert [d["date"] for d in rome["days"]] == ["2027-03-12", "2027-03-13", "2027-03-14"]


async def test_a_city_with_no_places_is_said_not_proposed(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, "Milan and Turin")
    pending = (await client.trips(thread))["pending_approval"]
    assert [c["after"]["name"] for c in pending["changes"]] == ["Trip to Milan"]
    text = text_of(await client.approve(thread))
    assert "Trip to Milan" in text and "no places for Turin" in text
    events = await client.run(thread, "Plan a trip to Nagoya")
    assert "add_trips" not in tool_calls(events)
    assert "Nagoya" in text_of(events) and (await client.trips(thread))["pending_approval"] is None
