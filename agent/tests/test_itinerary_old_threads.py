"""Threads stored before trips had days keep working: REST, the AG-UI snapshot, exports,
and a day plan on top of them; on a SQLite file and PostgreSQL rows that the code before
days wrote (data/pre_days/)."""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from langchain_core.messages import AIMessage
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg.types.json import Jsonb

from travel_agent.app import create_app
from travel_agent.demo_trips import demo_trips

from agent_kit import AgentClient, make_settings, new_thread
from itinerary_kit import interrupt_of, scripted_client, trip_of
from pg import temp_database
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


# ---------------------------------------------------------------- written by the old code

PRE_DAYS = Path(__file__).parent / "data" / "pre_days"
PRE_DAYS_THREAD = "pre-days-thread"  # what make_fixture.py names its conversation


def _pre_days_rows() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PRE_DAYS / "postgres_rows.json").read_text())
    return loaded


def _unplain(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"])
    if isinstance(value, dict):
        return Jsonb(value)
    return value


async def _restore_pre_days_postgres(url: str) -> None:
    """The fresh database as f8eaa63 left it: LangGraph's tables (the same installed
    migrations as then, checked below), then that code's rows for the thread."""
    dump = _pre_days_rows()
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await AsyncPostgresSaver(conn).setup()  # type: ignore[arg-type]
        cur = await conn.execute("SELECT max(v) FROM checkpoint_migrations")
        assert (await cur.fetchone()) == (dump["migration"],), "LangGraph's schema moved on"
        for table, rows in dump["rows"].items():
            for row in rows:
                names = ", ".join(row)
                marks = ", ".join(["%s"] * len(row))
                await conn.execute(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # type: ignore[arg-type]
                    [_unplain(v) for v in row.values()],
                )


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_database_written_before_days_loads_plans_and_approves(
    tmp_path: Path, store: str
) -> None:
    """The conversation f8eaa63 (the last commit before `days`) stored: its Rome trip loads
    with no days, is spread over two days by today's offline planner, and is approved."""
    with contextlib.ExitStack() as stack:
        if store == "sqlite":
            shutil.copytree(PRE_DAYS / "data", tmp_path / "data")
            settings = make_settings(tmp_path)
        else:
            url = stack.enter_context(temp_database())
            await _restore_pre_days_postgres(url)
            settings = make_settings(tmp_path, database_url=url)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://agent") as http:
                client = AgentClient(http)
                data = await client.trips(PRE_DAYS_THREAD)
                assert data["pending_approval"] is None
                rome = trip_of(data, "rome-1")
                assert data["selected_trip_id"] == "rome-1" and len(rome["places"]) >= 4
                assert rome["days"] == [] and rome["start_date"] is None

                r = await http.get(f"/threads/{PRE_DAYS_THREAD}/history")
                assert r.status_code == 200, r.text
                said = json.dumps(r.json())
                assert "Plan a trip to Rome" in said

                events = await client.run(PRE_DAYS_THREAD, "spread my Rome trip over 2 days")
                proposal = interrupt_of(events)
                assert proposal, events[-1]
                await client.approve(PRE_DAYS_THREAD)
                rome = trip_of(await client.trips(PRE_DAYS_THREAD), "rome-1")
                assert len(rome["days"]) == 2 and all(d["place_ids"] for d in rome["days"])
                assert sorted(p for d in rome["days"] for p in d["place_ids"]) == sorted(
                    p["id"] for p in rome["places"]
                )
