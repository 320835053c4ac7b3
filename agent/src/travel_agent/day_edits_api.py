"""The person's own edits of a trip's days (drag a place to another day or position, set
the start date on the trip card). The same day functions as the move_places and
set_start_date tools, without an approval (the person did it), and the same rules as the
other manual edits: the thread lock, 409 while an approval is pending, 404, 422."""

from __future__ import annotations

import datetime

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, field_validator

from .api_contract import problem_responses
from .itinerary import changes as day_changes
from .models import Trip
from .tools import DayNumber, PlaceId
from .trip_editing import Thread, get_thread

router = APIRouter(
    prefix="/threads/{thread_id}/trips/{trip_id}",
    tags=["trips"],
    responses=problem_responses(400, 401, 404, 409, 413, 422, 503),
)


class PlaceMove(BaseModel):
    """Places into day `day` at 1-based `position` (their place in the day afterwards;
    null: at the end), or out of every day when `day` is null."""

    model_config = ConfigDict(extra="forbid")

    place_ids: list[PlaceId] = Field(min_length=1, max_length=100)
    day: DayNumber | None
    position: int | None = Field(default=None, ge=1)

    @field_validator("day", "position", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        # JSON numbers only (`2.0` is the integer 2), not `true` or `"2"`.
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError("must be a whole number or null")
        return value


class StartDate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: datetime.date | None = Field(description="YYYY-MM-DD, or null to clear")


# The day functions return validated trips (a manual edit stores only what a Trip accepts)
# or raise ValueError with a sentence (no such day): 422.
def _moved(trip: Trip, body: PlaceMove) -> Trip:
    unknown = [i for i in body.place_ids if trip.place(i) is None]
    if unknown:
        raise HTTPException(404, f"There is no place with id {unknown[0]!r} in {trip.name!r}.")
    try:
        return day_changes.move(trip, body.place_ids, body.day, body.position)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


def _dated(trip: Trip, body: StartDate) -> Trip:
    try:
        return day_changes.set_start(trip, body.start_date)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post("/place-moves", response_model=Trip, summary="Move places between days by hand")
async def move_places(trip_id: str, body: PlaceMove, thread: Thread = Depends(get_thread)) -> Trip:
    return await thread.edit_trip(trip_id, lambda trip: _moved(trip, body))


@router.put("/start-date", response_model=Trip, summary="Set or clear a trip's start date by hand")
async def set_start_date(
    trip_id: str, body: StartDate, thread: Thread = Depends(get_thread)
) -> Trip:
    return await thread.edit_trip(trip_id, lambda trip: _dated(trip, body))
