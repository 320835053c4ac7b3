"""Threads stored before trips had days keep working: REST, the AG-UI snapshot, exports,
and a day plan on top of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage

from travel_agent.demo_trips import demo_trips

from agent_kit import make_settings, new_thread
from itinerary_kit import scripted_client
from scripted import call


def _old_style_trips() -> list[dict[str, Any]]:
    """Trips as the code before days stored them: no `days`, no `start_date` keys."""
    trips = [t.model_dump(mode="json") for t in demo_trips()]
    for t in trips:
        t.pop("days")
        t.pop("start_date")
    return trips


async def test_a_thread_without_days_loads_and_plans(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    thread = new_thread()
    async with scripted_client(tmp_path, settings) as (_, client):
        runtime = client.http._transport.app.state.runtime  # type: ignore[attr-defined]
        config = runtime.config(thread)
        await runtime.graph.aupdate_state(
            config,
            {"trips": _old_style_trips(), "selected_trip_id": "1", "search_progress": []},
            as_node="trips",
        )
        stored = (await runtime.graph.aget_state(config)).values["trips"]
        assert "days" not in stored[0]

    # A restart later, on the same database.
    async with scripted_client(tmp_path, settings) as (model, client):
        data = await client.trips(thread)
        assert [t["days"] for t in data["trips"]] == [[], []]
        assert [t["start_date"] for t in data["trips"]] == [None, None]

        model.script[:] = [AIMessage(content="Hello.")]
        events = await client.run(thread, "hello")
        snapshots = [e["snapshot"] for e in events if e["type"] == "STATE_SNAPSHOT"]
        assert snapshots and all(t.get("days", []) == [] for s in snapshots for t in s["trips"])
        assert snapshots[-1]["trips"][0]["days"] == []

        r = await client.http.get(f"/threads/{thread}/trips/1/export", params={"format": "md"})
        assert r.status_code == 200 and "Not yet scheduled" in r.text
        r = await client.http.get(f"/threads/{thread}/trips/1/routes")
        assert r.status_code == 200 and r.json()["days"] == []

        model.script[:] = [
            call("plan_days", {"trip_id": "1", "day_count": 2}, 1),
            AIMessage(content="ok"),
        ]
        await client.run(thread, "Spread the NYC trip over 2 days")
        await client.approve(thread)
        nyc = (await client.trips(thread))["trips"][0]
        assert len(nyc["days"]) == 2
        assert sorted(p for d in nyc["days"] for p in d["place_ids"]) == sorted(
            p["id"] for p in nyc["places"]
        )
