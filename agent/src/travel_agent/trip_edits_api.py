"""Manual trip actions (create, rename, delete a trip) and a place search by name, for the
trip card. Edits go through the same lock, approval check and `Trip` validation as the
place edits in trips_api.py (trip_editing.py), so the agent sees them on its next turn."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from langgraph.types import StateSnapshot
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.convertors import Convertor, register_url_convertor

from .api_contract import problem_responses
from .models import Name, Place, Trip
from .runtime import Runtime, get_runtime
from .trip_editing import Thread, find_trip, get_thread, trips_of
from .trip_ops import trips_to_state

log = logging.getLogger(__name__)


class _TripIdSegment(Convertor[str]):
    """One path segment, except the itinerary's literal `copy-from-share`: that path is
    not also a trip, so its `Allow` lists only the method its schema documents."""

    regex = r"(?!copy-from-share$)[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("trip_segment", _TripIdSegment())
router = APIRouter(
    prefix="/threads/{thread_id}",
    tags=["trips"],
    responses=problem_responses(400, 401, 404, 409, 413, 422, 503),
)
search_router = APIRouter(tags=["places"], responses=problem_responses(401, 422, 503))

SEARCH_UNAVAILABLE = "The place search is unavailable right now. Please try again in a moment."


class TripInput(BaseModel):
    """A trip started by hand: a name and where the map shows it until it has places."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    center_latitude: float = Field(ge=-90, le=90)
    center_longitude: float = Field(ge=-180, le=180)
    zoom: int = Field(default=13, ge=1, le=20)

    @field_validator("center_latitude", "center_longitude", "zoom", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        # Only JSON numbers (the schema says so): not `false`, not `"9"`; `9.0` is the integer 9.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        return value


class TripRename(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name


class PlaceSearchView(BaseModel):
    query: str
    places: list[Place]
    note: str | None = Field(default=None, description="Why nothing was found, if so")


@router.post("/trips", response_model=Trip, status_code=201, summary="Create a trip by hand")
async def create_trip(body: TripInput, thread: Thread = Depends(get_thread)) -> Trip:
    return await thread.add_trip(
        lambda: Trip(id=f"manual-trip-{uuid.uuid4().hex[:12]}", **body.model_dump())
    )


@router.patch("/trips/{trip_id:trip_segment}", response_model=Trip, summary="Rename a trip by hand")
async def rename_trip(trip_id: str, body: TripRename, thread: Thread = Depends(get_thread)) -> Trip:
    return await thread.edit_trip(trip_id, lambda trip: trip.model_copy(update={"name": body.name}))


@router.delete("/trips/{trip_id:trip_segment}", status_code=204, summary="Delete a trip by hand")
async def delete_trip(trip_id: str, thread: Thread = Depends(get_thread)) -> Response:
    def delete(snapshot: StateSnapshot) -> dict[str, Any]:
        trips = trips_of(snapshot)
        find_trip(trips, trip_id)
        kept = [t for t in trips if t.id != trip_id]
        values: dict[str, Any] = {"trips": trips_to_state(kept)}
        # The map shows another trip (the first one left) instead of one that is gone.
        if snapshot.values.get("selected_trip_id") in (trip_id, None):
            values["selected_trip_id"] = kept[0].id if kept else None
        return values

    await thread.edit(delete)
    return Response(status_code=204)


# Latitude -90..90, longitude -180..180, in the pattern itself: the schema is exact.
NEAR_PATTERN = (
    r"^\s*-?(90(\.0+)?|[1-8]?\d(\.\d+)?)"  # latitude
    r"\s*,\s*-?(180(\.0+)?|(1[0-7]\d|[1-9]?\d)(\.\d+)?)\s*$"  # longitude
)


def _near(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    lat, lon = (float(part) for part in text.split(","))
    return lat, lon


@search_router.get(
    "/places/search",
    response_model=PlaceSearchView,
    summary="Search the configured places provider by name (for adding a place by hand)",
)
async def search_places(
    q: Annotated[
        str, Query(min_length=1, max_length=200, pattern=r"\S", description="What to look for")
    ],
    near: Annotated[
        str | None,
        Query(
            pattern=NEAR_PATTERN,
            description="`latitude,longitude` to prefer results near (the map's centre)",
            examples=["41.9,12.5"],
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 8,
    runtime: Runtime = Depends(get_runtime),
) -> PlaceSearchView:
    point = _near(near)
    try:
        result = await runtime.places.search(q.strip(), near=point, limit=limit)
    except Exception as exc:
        log.exception("place search failed")
        raise HTTPException(status_code=503, detail=SEARCH_UNAVAILABLE) from exc
    if result.error is not None:
        log.warning("place search failed", extra={"provider_error": result.error})
        raise HTTPException(status_code=503, detail=SEARCH_UNAVAILABLE)
    return PlaceSearchView(query=result.query, places=result.places[:limit], note=result.note)
