"""Helpers for the itinerary tests: an app whose model is scripted (it emits the tool calls
an LLM would), real Rome places from the shipped gazetteer, and proposal helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from travel_agent.app import create_app
from travel_agent.places.offline import OfflineGazetteer
from travel_agent.settings import Settings

from agent_kit import AgentClient, make_settings
from scripted import ScriptedModel

ROME_QUERIES = ("landmarks in Rome", "attractions in Rome", "museums in Rome")


async def rome_places(count: int = 12) -> list[dict[str, Any]]:
    gazetteer = OfflineGazetteer()
    found: dict[str, dict[str, Any]] = {}
    for q in ROME_QUERIES:
        for p in (await gazetteer.search(q, limit=10)).places:
            found.setdefault(p.id, p.model_dump())
    places = list(found.values())[:count]
    assert len(places) == count
    return places


def rome_trip(places: list[dict[str, Any]], trip_id: str = "rome") -> dict[str, Any]:
    return {
        "id": trip_id,
        "name": "3 days in Rome",
        "center_latitude": 41.9,
        "center_longitude": 12.48,
        "zoom": 13,
        "places": places,
    }


@asynccontextmanager
async def scripted_client(
    tmp_path: Path, settings: Settings | None = None, **app_kwargs: Any
) -> AsyncIterator[tuple[ScriptedModel, AgentClient]]:
    model = ScriptedModel(script=[], seen=[])
    app = create_app(settings or make_settings(tmp_path), model=model, **app_kwargs)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://agent") as http:
            yield model, AgentClient(http)


def interrupt_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The proposal of the approval a run ended with."""
    outcome = events[-1].get("outcome") or {}
    assert outcome.get("type") == "interrupt", events[-1]
    raw: dict[str, Any] = outcome["interrupts"][0]["metadata"]["langgraph"]["raw"]
    return raw


def trip_of(data: dict[str, Any], trip_id: str) -> dict[str, Any]:
    return next(t for t in data["trips"] if t["id"] == trip_id)
