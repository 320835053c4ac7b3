"""The browser's API for a trip's days: the person's own moves of places between and
within days, the start date, and the day routes drawn on the map. Passed on to the
agent's REST routes for the thread in the cookie, through the shared forwarder (forward.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from .api_contract import PlaceMoveIn, RoutesOut, StartDateIn, TripOut, problems
from .forward import ChangingAgent, ReadingAgent

router = APIRouter(prefix="/api/trips/{trip_id}")
TripId = Annotated[str, Path(min_length=1, max_length=128)]
CHANGE_REFUSALS = problems(400, 401, 403, 404, 409, 413, 422, 503)


@router.post("/place-moves", responses={200: {"model": TripOut}, **CHANGE_REFUSALS})
async def move_places(trip_id: TripId, move: PlaceMoveIn, agent: ChangingAgent) -> Any:
    """Places into another day or position (or out of every day); the trip as stored."""
    return await agent.forward("POST", "trips", trip_id, "place-moves", json=move.model_dump())


@router.put("/start-date", responses={200: {"model": TripOut}, **CHANGE_REFUSALS})
async def set_start_date(trip_id: TripId, body: StartDateIn, agent: ChangingAgent) -> Any:
    return await agent.forward(
        "PUT", "trips", trip_id, "start-date", json=body.model_dump(mode="json")
    )


@router.get("/routes", responses={200: {"model": RoutesOut}, **problems(401, 404, 422, 503)})
async def routes(trip_id: TripId, agent: ReadingAgent) -> Any:
    """Each day's legs, totals and line for the map (estimates say so)."""
    return await agent.forward("GET", "trips", trip_id, "routes")
