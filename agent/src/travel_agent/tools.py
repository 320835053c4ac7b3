"""The tools the planning model may call, as validated argument models and JSON specs.

The graph executes them itself (search node, trips node); the model only sees the specs.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


class AddTripsArgs(BaseModel):
    """Propose new trips. The person approves all, some of the places, or none."""

    model_config = ConfigDict(extra="forbid")
    trips: list[Trip] = Field(
        min_length=1,
        max_length=10,
        description="New trips with unique ids; places must come from search results.",
    )


class UpdateTripsArgs(BaseModel):
    """Propose changes to existing trips: each trip is given whole, as it should become."""

    model_config = ConfigDict(extra="forbid")
    trips: list[Trip] = Field(min_length=1, max_length=10)


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
    "select_trip": SelectTripArgs,
}
TRIP_TOOLS = frozenset({"add_trips", "update_trips", "delete_trips", "select_trip"})
CHANGE_TOOLS = frozenset({"add_trips", "update_trips", "delete_trips"})


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
