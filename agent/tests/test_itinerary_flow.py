"""Day changes through the real HTTP interface and the graph: the model's tool call is
proposed, the person approves all, part or nothing, and only then do the days change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage

from agent_kit import AgentClient, new_thread
from itinerary_kit import interrupt_of, rome_places, rome_trip, scripted_client, trip_of
from scripted import ScriptedModel, call

DONE = AIMessage(content="Done.")


async def _planned(model: ScriptedModel, client: AgentClient, thread: str) -> dict[str, Any]:
    """A stored 3-day Rome trip, approved in full."""
    places = await rome_places(12)
    model.script[:] = [
        call("add_trips", {"trips": [rome_trip(places)], "day_count": 3}, 1),
        DONE,
    ]
    await client.run(thread, "Plan a 3-day trip to Rome")
    await client.approve(thread)
    return trip_of(await client.trips(thread), "rome")


async def test_plan_three_days_then_approve_a_subset(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        places = await rome_places(12)
        model.script[:] = [
            call(
                "add_trips",
                {"trips": [rome_trip(places)], "day_count": 3, "start_date": "2027-03-12"},
                1,
            ),
            DONE,
        ]
        thread = new_thread()
        events = await client.run(thread, "Plan a 3-day trip to Rome from 12 March 2027")
        proposal = interrupt_of(events)
        after = proposal["changes"][0]["after"]
        assert [len(d["place_ids"]) for d in after["days"]] == [4, 4, 4]
        assert [d["date"] for d in after["days"]] == ["2027-03-12", "2027-03-13", "2027-03-14"]
        assert after["start_date"] == "2027-03-12"
        # The same proposal is what REST shows as pending.
        pending = (await client.trips(thread))["pending_approval"]
        assert pending["changes"][0]["after"]["days"] == after["days"]

        # Approve the first two places of each day only.
        picked = [pid for d in after["days"] for pid in d["place_ids"][:2]]
        events = await client.approve(thread, picked)
        stored = trip_of(await client.trips(thread), "rome")
        # The AG-UI state snapshot carries the same days as REST.
        snapshot = [e["snapshot"] for e in events if e["type"] == "STATE_SNAPSHOT"][-1]
        assert trip_of(snapshot, "rome")["days"] == stored["days"]
        assert sorted(p["id"] for p in stored["places"]) == sorted(picked)
        assert [d["place_ids"] for d in stored["days"]] == [
            d["place_ids"][:2] for d in after["days"]
        ]
        assert [d["date"] for d in stored["days"]] == [d["date"] for d in after["days"]]
        # The model was told a subset was approved.
        assert "approved 6 of 12" in model.seen[-1][-1].content


async def test_move_places_and_approve_part(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        trip = await _planned(model, client, thread)
        day1, day2 = trip["days"][0]["place_ids"], trip["days"][1]["place_ids"]
        moving = day1[:2]
        model.script[:] = [
            call(
                "move_places", {"trip_id": "rome", "place_ids": moving, "day": 2, "position": 1}, 2
            ),
            DONE,
        ]
        proposal = interrupt_of(await client.run(thread, "Move those to day 2"))
        assert proposal["action"] == "move_places"
        assert proposal["changes"][0]["after"]["days"][1]["place_ids"] == [*moving, *day2]
        await client.approve(thread, [moving[0]])  # only the first one moves
        stored = trip_of(await client.trips(thread), "rome")
        assert stored["days"][0]["place_ids"] == day1[1:]
        assert stored["days"][1]["place_ids"] == [moving[0], *day2]

        # Unscheduling a place: day null.
        model.script[:] = [
            call("move_places", {"trip_id": "rome", "place_ids": [day2[0]], "day": None}, 3),
            DONE,
        ]
        await client.run(thread, "Take it off the schedule")
        await client.approve(thread)
        stored = trip_of(await client.trips(thread), "rome")
        assert day2[0] not in [pid for d in stored["days"] for pid in d["place_ids"]]
        assert day2[0] in [p["id"] for p in stored["places"]]


async def test_optimise_day_restores_route_order(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        trip = await _planned(model, client, thread)
        best = trip["days"][0]["place_ids"]
        shuffled = [best[1], best[3], best[0], best[2]]
        model.script[:] = [
            call("move_places", {"trip_id": "rome", "place_ids": shuffled, "day": 1}, 2),
            DONE,
            call("optimise_day", {"trip_id": "rome", "day": 1}, 3),
            DONE,
        ]
        await client.run(thread, "Reorder day 1")
        await client.approve(thread)
        assert trip_of(await client.trips(thread), "rome")["days"][0]["place_ids"] == shuffled
        proposal = interrupt_of(await client.run(thread, "Optimise day 1"))
        assert proposal["action"] == "optimise_day"
        await client.approve(thread)
        stored = trip_of(await client.trips(thread), "rome")["days"][0]["place_ids"]
        assert stored in (best, best[::-1])


async def test_set_start_date_then_clear_it(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        await _planned(model, client, thread)
        model.script[:] = [
            call("set_start_date", {"trip_id": "rome", "start_date": "2027-03-12"}, 2),
            DONE,
            call("set_start_date", {"trip_id": "rome", "start_date": None}, 3),
            DONE,
        ]
        proposal = interrupt_of(await client.run(thread, "Start on 2027-03-12"))
        assert proposal["message"] == "Start '3 days in Rome' on 2027-03-12?"
        await client.approve(thread)
        stored = trip_of(await client.trips(thread), "rome")
        assert stored["start_date"] == "2027-03-12"
        assert [d["date"] for d in stored["days"]] == ["2027-03-12", "2027-03-13", "2027-03-14"]
        await client.run(thread, "No dates please")
        await client.approve(thread)
        stored = trip_of(await client.trips(thread), "rome")
        assert stored["start_date"] is None and {d["date"] for d in stored["days"]} == {None}


async def test_cancel_changes_nothing_and_is_not_retried(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        await _planned(model, client, thread)
        before = await client.trips(thread)
        model.script[:] = [call("plan_days", {"trip_id": "rome", "day_count": 2}, 2), DONE]
        proposal = interrupt_of(await client.run(thread, "Make it two days"))
        assert len(proposal["changes"][0]["after"]["days"]) == 2
        await client.cancel(thread)
        assert await client.trips(thread) == before
        told = model.seen[-1][-1].content
        assert "cancelled" in told and "Do not retry" in told


async def test_plan_days_replans_an_existing_trip(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        trip = await _planned(model, client, thread)
        model.script[:] = [
            call("plan_days", {"trip_id": "rome", "day_count": 4, "start_date": "2027-05-01"}, 2),
            DONE,
        ]
        await client.run(thread, "Spread it over four days from 1 May 2027")
        await client.approve(thread)
        stored = trip_of(await client.trips(thread), "rome")
        assert [len(d["place_ids"]) for d in stored["days"]] == [3, 3, 3, 3]
        assert stored["days"][0]["date"] == "2027-05-01"
        assert [d["id"] for d in stored["days"]][:3] == [d["id"] for d in trip["days"]]


async def test_bad_day_calls_go_back_to_the_model(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        await _planned(model, client, thread)
        before = await client.trips(thread)
        model.script[:] = [
            call("optimise_day", {"trip_id": "rome", "day": 9}, 2),
            call("move_places", {"trip_id": "rome", "place_ids": ["nope"], "day": 1}, 3),
            AIMessage(content="Sorry."),
        ]
        await client.run(thread, "Optimise day 9")
        errors = [m.content for m in model.seen[-1] if getattr(m, "status", None) == "error"]
        assert any("no day 9" in e for e in errors)
        assert any("no places with ids: nope" in e for e in errors)
        assert await client.trips(thread) == before


async def test_deleting_a_place_by_hand_removes_it_from_its_day(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        trip = await _planned(model, client, thread)
        gone = trip["days"][1]["place_ids"][0]
        r = await client.http.delete(f"/threads/{thread}/trips/rome/places/{gone}")
        assert r.status_code == 204
        stored = trip_of(await client.trips(thread), "rome")
        assert stored["days"][1]["place_ids"] == trip["days"][1]["place_ids"][1:]


async def test_update_without_days_keeps_them(tmp_path: Path) -> None:
    """A model that knows nothing of days renames a trip and drops a place: the days stay,
    minus that place."""
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        trip = await _planned(model, client, thread)
        gone = trip["days"][0]["place_ids"][0]
        old_style = {k: v for k, v in trip.items() if k not in ("days", "start_date")}
        old_style["name"] = "Rome with friends"
        old_style["places"] = [p for p in trip["places"] if p["id"] != gone]
        model.script[:] = [call("update_trips", {"trips": [old_style]}, 2), DONE]
        await client.run(thread, "Rename it")
        await client.approve(thread)
        stored = trip_of(await client.trips(thread), "rome")
        assert stored["name"] == "Rome with friends"
        assert stored["days"][0]["place_ids"] == trip["days"][0]["place_ids"][1:]
        assert stored["days"][1:] == trip["days"][1:]


async def test_days_the_model_arranged_get_the_start_date(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        places = await rome_places(4)
        trip = rome_trip(places)
        trip["days"] = [
            {"id": "a", "title": "Ancient Rome", "place_ids": [places[0]["id"], places[1]["id"]]},
            {"id": "b", "place_ids": [places[2]["id"]]},
        ]
        model.script[:] = [
            call("add_trips", {"trips": [trip], "start_date": "2027-12-31"}, 1),
            DONE,
        ]
        thread = new_thread()
        after = interrupt_of(await client.run(thread, "Plan it"))["changes"][0]["after"]
        assert [(d["id"], d["date"]) for d in after["days"]] == [
            ("a", "2027-12-31"),
            ("b", "2028-01-01"),
        ]
        await client.approve(thread)
        stored = trip_of(await client.trips(thread), "rome")
        assert stored["days"][0]["title"] == "Ancient Rome"
        assert stored["start_date"] == "2027-12-31"
        assert stored["places"][3]["id"] not in {p for d in stored["days"] for p in d["place_ids"]}
