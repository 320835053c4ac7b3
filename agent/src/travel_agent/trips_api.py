"""Where manual edits enter: the REST API for what is not chat.

Edits change the same checkpointed state the agent reads, so the next chat turn knows.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Response
from langgraph.types import StateSnapshot
from pydantic import BaseModel, Field

from .api_contract import problem_responses
from .graph import pending_proposal
from .history import history_items
from .models import Place, PlaceInput, PlacePatch, Trip
from .runtime import ThreadView
from .trip_editing import Thread, find_trip, get_thread, trips_of

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


def _view(thread_id: str, snapshot: StateSnapshot | ThreadView) -> TripsView:
    pending = pending_proposal(snapshot.tasks)
    return TripsView(
        thread_id=thread_id,
        trips=trips_of(snapshot),
        selected_trip_id=snapshot.values.get("selected_trip_id"),
        pending_approval={"interrupt_id": pending[0], **pending[1]} if pending else None,
    )


def _find_place(trip: Trip, place_id: str) -> Place:
    for place in trip.places:
        if place.id == place_id:
            return place
    raise HTTPException(
        status_code=404, detail=f"There is no place with id {place_id!r} in {trip.name!r}."
    )


def _with_places(trip: Trip, places: list[Place]) -> Trip:
    """`trip` with `places`: a place deleted by hand leaves its day too."""
    ids = {p.id for p in places}
    days = [
        d.model_copy(update={"place_ids": [i for i in d.place_ids if i in ids]}) for d in trip.days
    ]
    return trip.model_copy(update={"places": places, "days": days})


@router.get("/trips", response_model=TripsView, summary="A thread's trips and selection")
async def get_trips(thread: Thread = Depends(get_thread)) -> TripsView:
    return _view(thread.id, await thread.read())


@router.get("/history", response_model=HistoryView, summary="A conversation, for redrawing it")
async def get_history(thread: Thread = Depends(get_thread)) -> HistoryView:
    snapshot = await thread.read()
    items = history_items(await thread.conversation(snapshot), pending_proposal(snapshot.tasks))
    return HistoryView(thread_id=thread.id, items=items)


@router.put("/selected-trip", response_model=TripsView, summary="Show a trip on the map")
async def select_trip(body: SelectTrip, thread: Thread = Depends(get_thread)) -> TripsView:
    def select(snapshot: StateSnapshot) -> dict[str, Any]:
        find_trip(trips_of(snapshot), body.trip_id)
        return {"selected_trip_id": body.trip_id}

    return _view(thread.id, await thread.edit(select))


@router.post(
    "/trips/{trip_id}/places", response_model=Place, status_code=201, summary="Add a place by hand"
)
async def add_place(trip_id: str, body: PlaceInput, thread: Thread = Depends(get_thread)) -> Place:
    most = thread.runtime.settings.max_places_per_trip
    place = Place(id=f"manual-{uuid.uuid4().hex[:12]}", **body.model_dump())

    def add(trip: Trip) -> Trip:
        if len(trip.places) >= most:
            raise HTTPException(status_code=422, detail=f"A trip can hold at most {most} places.")
        return _with_places(trip, [*trip.places, place])

    await thread.edit_trip(trip_id, add, select=True)
    return place


@router.patch(
    "/trips/{trip_id}/places/{place_id}", response_model=Place, summary="Edit a place by hand"
)
async def edit_place(
    trip_id: str, place_id: str, body: PlacePatch, thread: Thread = Depends(get_thread)
) -> Place:
    changes = body.model_dump(exclude_unset=True)

    def edit(trip: Trip) -> Trip:
        place = _find_place(trip, place_id)
        if any(changes.get(k, 0) is None for k in ("name", "latitude", "longitude")):
            raise HTTPException(
                status_code=422, detail="name, latitude and longitude cannot be empty."
            )
        edited = Place.model_validate({**place.model_dump(), **changes})
        return _with_places(trip, [edited if p.id == place_id else p for p in trip.places])

    return _find_place(await thread.edit_trip(trip_id, edit), place_id)


@router.delete(
    "/trips/{trip_id}/places/{place_id}", status_code=204, summary="Delete a place by hand"
)
async def delete_place(
    trip_id: str, place_id: str, thread: Thread = Depends(get_thread)
) -> Response:
    def delete(trip: Trip) -> Trip:
        _find_place(trip, place_id)
        return _with_places(trip, [p for p in trip.places if p.id != place_id])

    await thread.edit_trip(trip_id, delete)
    return Response(status_code=204)
