"""The tools the planning model may call, as validated argument models and JSON specs.

The graph executes them itself (search node, trips node); the model only sees the specs.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .models import Trip

Query = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TripId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class SearchForPlacesArgs(BaseModel):
    """Search for places (points of interest, cities, airports) for one or more queries."""

    model_config = ConfigDict(extra="forbid")
    queries: list[Query] = Field(
        min_length=1,
        max_length=10,
        description="Search queries, e.g. ['museums in Rome', 'old churches in Rome'].",
    )
    trip_id: TripId | None = Field(
        default=None, description="When adding to an existing trip: bias results to its area."
    )


DayCount = Annotated[int, Field(ge=1, le=30)]
DayNumber = Annotated[int, Field(ge=1, le=30)]
PlaceId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


#: One proposal adds or changes at most 10 trips.
ProposedTrips = Annotated[list[Trip], Field(min_length=1, max_length=10)]


class _WholeTrips(BaseModel):
    """Trips the model gives whole (not a tool itself: what add_trips and update_trips
    share)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _prune_days(cls, data: Any) -> Any:
        """Drop day entries naming places the trip no longer has: a model that removes a
        place should not have to remember to remove it from its day as well."""
        if not isinstance(data, dict) or not isinstance(data.get("trips"), list):
            return data
        trips = []
        for trip in data["trips"]:
            if isinstance(trip, dict) and isinstance(trip.get("days"), list):
                ids = {p.get("id") for p in trip.get("places") or [] if isinstance(p, dict)}
                trip = {
                    **trip,
                    "days": [
                        {**d, "place_ids": [i for i in d.get("place_ids") or [] if i in ids]}
                        if isinstance(d, dict)
                        else d
                        for d in trip["days"]
                    ],
                }
            trips.append(trip)
        return {**data, "trips": trips}


class AddTripsArgs(_WholeTrips):
    """Propose new trips. The person approves all, some of the places, or none.

    For a trip of several days ("a 3-day trip to Rome") give day_count: the service then
    arranges each new trip's places into that many days itself (grouped by area, balanced,
    each day in walking order), dated from start_date when given. Leave days out then."""

    trips: ProposedTrips = Field(
        description="New trips with unique ids; places must come from search results."
    )
    day_count: DayCount | None = Field(
        default=None, description="Spread each new trip's places over this many days (1-30)."
    )
    start_date: datetime.date | None = Field(
        default=None, description="Date of the first day, YYYY-MM-DD."
    )


class UpdateTripsArgs(_WholeTrips):
    """Propose changes to existing trips: each trip is given whole, as it should become.

    A trip given without `days` keeps its days (minus places it no longer has). To change
    days prefer plan_days, optimise_day, move_places and set_start_date."""

    trips: ProposedTrips


class PlanDaysArgs(BaseModel):
    """Propose spreading all of a trip's places over day_count days: grouped by area,
    balanced, each day in walking order. Replaces the trip's current days. Needs approval."""

    model_config = ConfigDict(extra="forbid")
    trip_id: TripId
    day_count: DayCount = Field(description="Number of days, 1-30.")
    start_date: datetime.date | None = Field(
        default=None,
        description="Date of day 1 as YYYY-MM-DD; left out keeps the trip's start date.",
    )


class OptimiseDayArgs(BaseModel):
    """Propose putting one day's places in the shortest walking order ("optimise day 2").
    Needs approval."""

    model_config = ConfigDict(extra="forbid")
    trip_id: TripId
    day: DayNumber = Field(description="Day number, 1 = the first day.")


class MovePlacesArgs(BaseModel):
    """Propose moving places to another day, or to a position within a day, or out of every
    day (day null = "not yet scheduled"). Needs approval."""

    model_config = ConfigDict(extra="forbid")
    trip_id: TripId
    place_ids: list[PlaceId] = Field(
        min_length=1, max_length=100, description="Ids of places of the trip, in the order wanted."
    )
    day: DayNumber | None = Field(
        description="Target day number (1 = first day), or null to unschedule the places."
    )
    position: int | None = Field(
        default=None,
        ge=1,
        description="1-based position in the target day to insert at; null = at the end.",
    )


class SetStartDateArgs(BaseModel):
    """Propose the date of a trip's first day; the days get consecutive dates from it
    (null clears the dates). Needs approval."""

    model_config = ConfigDict(extra="forbid")
    trip_id: TripId
    start_date: datetime.date | None = Field(description="YYYY-MM-DD, or null.")


class DeleteTripsArgs(BaseModel):
    """Propose deleting trips by id."""

    model_config = ConfigDict(extra="forbid")
    trip_ids: list[TripId] = Field(min_length=1, max_length=50)


class SelectTripArgs(BaseModel):
    """Show a trip on the map (no approval needed)."""

    model_config = ConfigDict(extra="forbid")
    trip_id: TripId


TOOL_ARGS: dict[str, type[BaseModel]] = {
    "search_for_places": SearchForPlacesArgs,
    "add_trips": AddTripsArgs,
    "update_trips": UpdateTripsArgs,
    "delete_trips": DeleteTripsArgs,
    "plan_days": PlanDaysArgs,
    "optimise_day": OptimiseDayArgs,
    "move_places": MovePlacesArgs,
    "set_start_date": SetStartDateArgs,
    "select_trip": SelectTripArgs,
}
DAY_TOOLS = frozenset({"plan_days", "optimise_day", "move_places", "set_start_date"})
CHANGE_TOOLS = frozenset({"add_trips", "update_trips", "delete_trips"}) | DAY_TOOLS
TRIP_TOOLS = CHANGE_TOOLS | {"select_trip"}


def tool_specs() -> list[dict[str, Any]]:
    """OpenAI-style function specs for `bind_tools`."""
    return [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": (model.__doc__ or "").strip(),
                "parameters": model.model_json_schema(),
            },
        }
        for name, model in TOOL_ARGS.items()
    ]
