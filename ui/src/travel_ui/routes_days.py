"""The browser's API for a trip's days: the person's own moves of places between and
within days, the start date, and the day routes drawn on the map. Passed on to the
agent's REST routes for the thread in the cookie, as the place edits in routes_api.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from . import agent_rest
from .api_contract import PlaceMoveIn, RoutesOut, StartDateIn, TripOut, problems
from .context import AppContext, get_ctx
from .guards import checked_thread_id, thread_id

router = APIRouter(prefix="/api/trips/{trip_id}")
TripId = Annotated[str, Path(min_length=1, max_length=128)]
CHANGE_REFUSALS = problems(400, 401, 403, 404, 409, 413, 422, 503)


@dataclass(frozen=True)
class _Agent:
    """The agent's routes under this thread's trip: what the handlers forward to."""

    ctx: AppContext
    thread: str

    async def forward(self, method: str, trip_id: str, what: str, json: Any = None) -> Any:
        path = f"/threads/{self.thread}/trips/{agent_rest.segment(trip_id)}/{what}"
        _, body = await agent_rest.call(self.ctx.agent, self.ctx.metrics, method, path, json=json)
        return body


def _changes(
    ctx: AppContext = Depends(get_ctx), thread: str = Depends(checked_thread_id)
) -> _Agent:
    return _Agent(ctx, thread)


def _reads(ctx: AppContext = Depends(get_ctx), thread: str = Depends(thread_id)) -> _Agent:
    return _Agent(ctx, thread)


ChangeAgent = Annotated[_Agent, Depends(_changes)]  # a change: the CSRF check first
ReadAgent = Annotated[_Agent, Depends(_reads)]


@router.post("/place-moves", responses={200: {"model": TripOut}, **CHANGE_REFUSALS})
async def move_places(trip_id: TripId, move: PlaceMoveIn, agent: ChangeAgent) -> Any:
    """Places into another day or position (or out of every day); the trip as stored."""
    return await agent.forward("POST", trip_id, "place-moves", move.model_dump())


@router.put("/start-date", responses={200: {"model": TripOut}, **CHANGE_REFUSALS})
async def set_start_date(trip_id: TripId, body: StartDateIn, agent: ChangeAgent) -> Any:
    return await agent.forward("PUT", trip_id, "start-date", body.model_dump(mode="json"))


@router.get("/routes", responses={200: {"model": RoutesOut}, **problems(401, 404, 422, 503)})
async def routes(trip_id: TripId, agent: ReadAgent) -> Any:
    """Each day's legs, totals and line for the map (estimates say so)."""
    return await agent.forward("GET", trip_id, "routes")
