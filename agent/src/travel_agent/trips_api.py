"""Where manual edits enter: the REST API for what is not chat.

Edits change the same checkpointed state the agent reads, so the next chat turn knows.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Response
from langgraph.types import StateSnapshot
from pydantic import BaseModel, Field

from . import errors
from .api_contract import THREAD_ID_SCHEMA, problem_responses
from .graph import pending_proposal
from .history import history_items
from .logging_setup import thread_id_var
from .models import Place, PlaceInput, PlacePatch, Trip
from .runtime import Runtime, ThreadView, check_thread_id, get_runtime
from .thread_locks import LockUnavailable, ThreadBusy
from .trip_ops import trips_from_state, trips_to_state

log = logging.getLogger(__name__)
T = TypeVar("T")
router = APIRouter(
    prefix="/threads/{thread_id}",
    tags=["trips"],
    responses=problem_responses(400, 401, 404, 409, 413, 422, 503),
)


class TripsView(BaseModel):
    thread_id: str
    trips: list[Trip]
    selected_trip_id: str | None
    pending_approval: dict[str, Any] | None = Field(
        default=None, description="The change waiting for approval, with its interrupt_id."
    )


class SelectTrip(BaseModel):
    trip_id: str = Field(min_length=1, max_length=128)


class HistoryView(BaseModel):
    thread_id: str
    items: list[dict[str, Any]]


def _thread(
    thread_id: Annotated[
        str, Path(description="Conversation id", json_schema_extra=THREAD_ID_SCHEMA)
    ],
) -> str:
    check_thread_id(thread_id)
    thread_id_var.set(thread_id)
    return thread_id


def _view(thread_id: str, snapshot: StateSnapshot | ThreadView) -> TripsView:
    pending = pending_proposal(snapshot.tasks)
    return TripsView(
        thread_id=thread_id,
        trips=trips_from_state(snapshot.values.get("trips")),
        selected_trip_id=snapshot.values.get("selected_trip_id"),
        pending_approval={"interrupt_id": pending[0], **pending[1]} if pending else None,
    )


async def _read(runtime: Runtime, thread_id: str) -> ThreadView:
    return await _stored(runtime.read_thread(thread_id))


async def _stored(read: Awaitable[T]) -> T:
    try:
        return await read
    except Exception as exc:
        log.exception("could not read thread state")
        raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc


@asynccontextmanager
async def _editing(runtime: Runtime, thread_id: str) -> AsyncIterator[StateSnapshot]:
    """Hold the thread (waiting a little for it: two tabs editing at once both land),
    refuse while an approval is pending, and yield its state."""
    try:
        async with runtime.locks.hold(thread_id, wait=runtime.settings.edit_lock_wait_seconds):
            try:
                snapshot = await runtime.ensure_thread(thread_id)
            except Exception as exc:
                log.exception("could not read thread state")
                raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc
            if pending_proposal(snapshot.tasks) is not None:
                raise HTTPException(
                    status_code=409,
                    detail="A change is waiting for your approval: approve or cancel it first.",
                )
            yield snapshot
    except ThreadBusy as exc:
        raise HTTPException(status_code=409, detail=errors.BUSY) from exc
    except LockUnavailable as exc:
        log.warning("could not take the thread lock", exc_info=exc)
        raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc


async def _write(runtime: Runtime, thread_id: str, values: dict[str, Any]) -> StateSnapshot:
    config = runtime.config(thread_id)
    try:
        await runtime.graph.aupdate_state(config, values, as_node="trips")
        return await runtime.graph.aget_state(config)
    except Exception as exc:
        log.exception("could not write thread state")
        raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc


def _find_trip(trips: list[Trip], trip_id: str) -> Trip:
    for trip in trips:
        if trip.id == trip_id:
            return trip
    raise HTTPException(status_code=404, detail=f"There is no trip with id {trip_id!r}.")


def _find_place(trip: Trip, place_id: str) -> Place:
    for place in trip.places:
        if place.id == place_id:
            return place
    raise HTTPException(
        status_code=404, detail=f"There is no place with id {place_id!r} in {trip.name!r}."
    )


@asynccontextmanager
async def _editing_trip(
    runtime: Runtime, thread_id: str, trip_id: str
) -> AsyncIterator[tuple[list[Trip], Trip]]:
    """`_editing`, plus the thread's trips and the one named (404 when unknown)."""
    async with _editing(runtime, thread_id) as snapshot:
        trips = trips_from_state(snapshot.values.get("trips"))
        yield trips, _find_trip(trips, trip_id)


async def _save_places(
    runtime: Runtime,
    thread_id: str,
    trips: list[Trip],
    trip: Trip,
    places: list[Place],
    *,
    select: bool = False,
) -> None:
    """Store `trip` with `places` in place of its old version (and select it if asked)."""
    # A place deleted by hand leaves its day too.
    ids = {p.id for p in places}
    days = [
        d.model_copy(update={"place_ids": [i for i in d.place_ids if i in ids]}) for d in trip.days
    ]
    edited = trip.model_copy(update={"places": places, "days": days})
    values: dict[str, Any] = {
        "trips": trips_to_state([edited if t.id == trip.id else t for t in trips])
    }
    if select:
        values["selected_trip_id"] = trip.id
    await _write(runtime, thread_id, values)


@router.get("/trips", response_model=TripsView, summary="A thread's trips and selection")
async def get_trips(
    thread_id: str = Depends(_thread), runtime: Runtime = Depends(get_runtime)
) -> TripsView:
    return _view(thread_id, await _read(runtime, thread_id))


@router.get("/history", response_model=HistoryView, summary="A conversation, for redrawing it")
async def get_history(
    thread_id: str = Depends(_thread), runtime: Runtime = Depends(get_runtime)
) -> HistoryView:
    snapshot = await _read(runtime, thread_id)
    recent = snapshot.values.get("messages", [])  # older ones are not in the checkpoint
    messages = await _stored(runtime.persistence.messages.conversation(thread_id, recent))
    items = history_items(messages, pending_proposal(snapshot.tasks))
    return HistoryView(thread_id=thread_id, items=items)


@router.put("/selected-trip", response_model=TripsView, summary="Show a trip on the map")
async def select_trip(
    body: SelectTrip, thread_id: str = Depends(_thread), runtime: Runtime = Depends(get_runtime)
) -> TripsView:
    async with _editing(runtime, thread_id) as snapshot:
        _find_trip(trips_from_state(snapshot.values.get("trips")), body.trip_id)
        return _view(
            thread_id, await _write(runtime, thread_id, {"selected_trip_id": body.trip_id})
        )


@router.post(
    "/trips/{trip_id}/places", response_model=Place, status_code=201, summary="Add a place by hand"
)
async def add_place(
    trip_id: str,
    body: PlaceInput,
    thread_id: str = Depends(_thread),
    runtime: Runtime = Depends(get_runtime),
) -> Place:
    async with _editing_trip(runtime, thread_id, trip_id) as (trips, trip):
        if len(trip.places) >= runtime.settings.max_places_per_trip:
            raise HTTPException(
                status_code=422,
                detail=f"A trip can hold at most {runtime.settings.max_places_per_trip} places.",
            )
        place = Place(id=f"manual-{uuid.uuid4().hex[:12]}", **body.model_dump())
        await _save_places(runtime, thread_id, trips, trip, [*trip.places, place], select=True)
        return place


@router.patch(
    "/trips/{trip_id}/places/{place_id}", response_model=Place, summary="Edit a place by hand"
)
async def edit_place(
    trip_id: str,
    place_id: str,
    body: PlacePatch,
    thread_id: str = Depends(_thread),
    runtime: Runtime = Depends(get_runtime),
) -> Place:
    async with _editing_trip(runtime, thread_id, trip_id) as (trips, trip):
        place = _find_place(trip, place_id)
        changes = body.model_dump(exclude_unset=True)
        if any(changes.get(k, 0) is None for k in ("name", "latitude", "longitude")):
            raise HTTPException(
                status_code=422, detail="name, latitude and longitude cannot be empty."
            )
        edited = Place.model_validate({**place.model_dump(), **changes})
        places = [edited if p.id == place_id else p for p in trip.places]
        await _save_places(runtime, thread_id, trips, trip, places)
        return edited


@router.delete(
    "/trips/{trip_id}/places/{place_id}", status_code=204, summary="Delete a place by hand"
)
async def delete_place(
    trip_id: str,
    place_id: str,
    thread_id: str = Depends(_thread),
    runtime: Runtime = Depends(get_runtime),
) -> Response:
    async with _editing_trip(runtime, thread_id, trip_id) as (trips, trip):
        _find_place(trip, place_id)
        places = [p for p in trip.places if p.id != place_id]
        await _save_places(runtime, thread_id, trips, trip, places)
        return Response(status_code=204)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:64]
