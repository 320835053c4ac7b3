"""The browser's API: chat and resume streams, trips and manual place edits.

Everything is proxied to the agent for the thread in the cookie; nothing is stored here.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sse_starlette import EventSourceResponse

from . import agent_rest
from .api_contract import (
    EVENT_STREAM,
    NO_CONTENT,
    HistoryOut,
    Id,
    NewConversationOut,
    PlaceIn,
    PlaceOut,
    PlacePatchIn,
    PlaceSearchOut,
    StateOut,
    TripIn,
    TripOut,
    TripRenameIn,
    problems,
)
from .context import AppContext, get_ctx
from .forward import ChangingAgent, ReadingAgent, ThreadAgent, forward
from .guards import checked_thread_id, traveller_id
from .relay import relay_run, stream_outcome
from .session import new_thread_id

router = APIRouter(prefix="/api")
log = logging.getLogger(__name__)

Message = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000, pattern=r"\S")
]
TripId = Annotated[str, Path(min_length=1, max_length=128)]
PlaceId = Annotated[str, Path(min_length=1, max_length=128)]


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    message: Message


class ResumeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    interrupt_id: Id
    approved: bool
    place_ids: list[Id] | None = Field(default=None, max_length=1000)


class SelectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    trip_id: Id


def _stream(ctx: AppContext, run_input: dict[str, Any]) -> EventSourceResponse:
    async def events() -> AsyncIterator[dict[str, str]]:
        ctx.metrics.active_streams.inc()
        started = time.perf_counter()
        last: str | None = None
        try:
            async for data in relay_run(ctx.agent, run_input, ctx.metrics):
                last = data  # the relay's last event is always its terminal one
                yield {"data": data}
        finally:
            ctx.metrics.active_streams.dec()
            outcome = stream_outcome(last)
            ctx.metrics.streams.labels(outcome).inc()
            log.info(
                "stream ended",
                extra={
                    "run_id": run_input["runId"],
                    "outcome": outcome,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )

    return EventSourceResponse(
        events(),
        ping=ctx.settings.sse_heartbeat_seconds,
        sep="\n",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _run_input(thread: str, **fields: Any) -> dict[str, Any]:
    return {
        "threadId": thread,
        "runId": str(uuid.uuid4()),
        "state": {},
        "messages": [],
        "tools": [],
        "context": [],
        "forwardedProps": {},
        **fields,
    }


@router.post(
    "/chat",
    response_class=EventSourceResponse,
    responses={**EVENT_STREAM, **problems(400, 401, 403, 413, 422)},
)
async def chat(body: ChatIn, agent: ChangingAgent) -> EventSourceResponse:
    message = {"id": str(uuid.uuid4()), "role": "user", "content": body.message}
    return _stream(agent.ctx, _run_input(agent.thread, messages=[message]))


@router.post(
    "/resume",
    response_class=EventSourceResponse,
    responses={**EVENT_STREAM, **problems(400, 401, 403, 413, 422)},
)
async def resume(body: ResumeIn, agent: ChangingAgent) -> EventSourceResponse:
    answer: dict[str, Any] = {"interruptId": body.interrupt_id}
    if not body.approved:
        answer["status"] = "cancelled"
    else:
        payload: dict[str, Any] = {"approved": True}
        if body.place_ids is not None:
            payload["place_ids"] = body.place_ids
        answer |= {"status": "resolved", "payload": payload}
    return _stream(agent.ctx, _run_input(agent.thread, resume=[answer]))


@router.get("/state", responses={200: {"model": StateOut}, **problems(401, 503)})
async def state(agent: ReadingAgent) -> dict[str, Any]:
    return agent_rest.public_state(await agent.forward("GET", "trips"))


@router.get("/history", responses={200: {"model": HistoryOut}, **problems(401, 503)})
async def history(agent: ReadingAgent) -> dict[str, Any]:
    return {"items": agent_rest.rendered_history(await agent.forward("GET", "history"))}


@router.put(
    "/selected-trip",
    responses={200: {"model": StateOut}, **problems(400, 401, 403, 404, 409, 413, 422, 503)},
)
async def select_trip(body: SelectIn, agent: ChangingAgent) -> dict[str, Any]:
    answer = await agent.forward("PUT", "selected-trip", json={"trip_id": body.trip_id})
    return agent_rest.public_state(answer)


@router.post(
    "/trips",
    status_code=201,
    responses={201: {"model": TripOut}, **problems(400, 401, 403, 409, 413, 422, 503)},
)
async def create_trip(trip: TripIn, agent: ChangingAgent) -> Any:
    return await agent.forward("POST", "trips", json=trip.model_dump())


@router.patch(
    "/trips/{trip_id}",
    responses={200: {"model": TripOut}, **problems(400, 401, 403, 404, 409, 413, 422, 503)},
)
async def rename_trip(trip_id: TripId, changes: TripRenameIn, agent: ChangingAgent) -> Any:
    return await agent.forward("PATCH", "trips", trip_id, json=changes.model_dump())


@router.delete(
    "/trips/{trip_id}",
    responses=problems(401, 403, 404, 409, 413, 422, 503),
    **NO_CONTENT,
)
async def delete_trip(trip_id: TripId, agent: ChangingAgent) -> Response:
    await agent.forward("DELETE", "trips", trip_id)
    return Response(status_code=204)


# Repeats the agent's `near` pattern, so a bad one is refused here with a sentence.
NEAR = (
    r"^\s*-?(90(\.0+)?|[1-8]?\d(\.\d+)?)"  # latitude
    r"\s*,\s*-?(180(\.0+)?|(1[0-7]\d|[1-9]?\d)(\.\d+)?)\s*$"  # longitude
)


@router.get(
    "/places/search",
    responses={200: {"model": PlaceSearchOut}, **problems(401, 422, 503)},
)
async def search_places(
    q: Annotated[str, Query(min_length=1, max_length=200, pattern=r"\S")],
    agent: ReadingAgent,
    near: Annotated[str | None, Query(pattern=NEAR)] = None,
) -> Any:
    """The agent's places provider, searched by name (for adding a place from the card)."""
    query = {"q": q} | ({"near": near} if near is not None else {})
    return await forward(agent.ctx, "GET", f"/places/search?{urlencode(query)}")


@router.post(
    "/trips/{trip_id}/places",
    status_code=201,
    responses={201: {"model": PlaceOut}, **problems(400, 401, 403, 404, 409, 413, 422, 503)},
)
async def add_place(trip_id: TripId, place: PlaceIn, agent: ChangingAgent) -> Any:
    fields = place.model_dump(exclude_unset=True)
    return await agent.forward("POST", "trips", trip_id, "places", json=fields)


@router.patch(
    "/trips/{trip_id}/places/{place_id}",
    responses={200: {"model": PlaceOut}, **problems(400, 401, 403, 404, 409, 413, 422, 503)},
)
async def edit_place(
    trip_id: TripId, place_id: PlaceId, changes: PlacePatchIn, agent: ChangingAgent
) -> Any:
    fields = changes.model_dump(exclude_unset=True)
    return await agent.forward("PATCH", "trips", trip_id, "places", place_id, json=fields)


@router.delete(
    "/trips/{trip_id}/places/{place_id}",
    responses=problems(401, 403, 404, 409, 413, 422, 503),
    **NO_CONTENT,
)
async def delete_place(trip_id: TripId, place_id: PlaceId, agent: ChangingAgent) -> Response:
    await agent.forward("DELETE", "trips", trip_id, "places", place_id)
    return Response(status_code=204)


@router.post(
    "/new-conversation",
    responses={200: {"model": NewConversationOut}, **problems(401, 403, 413, 503)},
)
async def new_conversation(
    response: Response,
    ctx: AppContext = Depends(get_ctx),
    _old_thread: str = Depends(checked_thread_id),
    traveller: str = Depends(traveller_id),
) -> dict[str, Any]:
    """Starts a new thread: a new cookie and CSRF token; the old thread stays in the
    traveller's list of conversations."""
    thread = new_thread_id()
    body = await ThreadAgent(ctx, thread).forward("GET", "trips")
    await agent_rest.record_conversation(ctx.agent, ctx.metrics, traveller, thread)
    ctx.sessions.set_thread_cookie(response, thread, traveller)
    return {
        "csrf_token": ctx.sessions.csrf_token(thread),
        "state": agent_rest.public_state(body),
        "history": [],
    }
