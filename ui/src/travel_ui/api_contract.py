"""What the browser API promises, written down so that its OpenAPI schema is true: request
bodies, answers, and every refusal as `{"detail": "<a sentence>"}`.

The schema is not served (the API is for the page's own scripts); the schema-based tests
build it from the app. Bodies are validated strictly (no `0` for `false`, no `"1"` for
`1`): what the schema says is what is accepted. Place fields repeat the agent's
constraints (`docs/agent-api.md`) so that a bad edit is refused here, with a sentence,
before it travels; the agent stays the authority, and the schema tests fail if the two
ever disagree.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from travel_kit.http_errors import not_json

Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]
# At least one character that is not white space: names are stripped, never empty.
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"\S")
]
Address = Annotated[str, StringConstraints(max_length=500)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Rating = Annotated[float, Field(ge=0, le=5)]


class Problem(BaseModel):
    """Every refusal: a sentence meant for a person."""

    detail: str


_WHY = {
    400: "The body could not be read as JSON",
    401: "No valid session cookie: the page must be reloaded",
    403: "The change did not come from the planner page (CSRF token or Origin)",
    404: "No such trip or place",
    409: "The planner is busy with this conversation (a run or an approval is pending)",
    413: "The request body is over MAX_BODY_BYTES",
    422: "The request is not valid (the sentence says what is wrong)",
    429: "Over the per-client rate limit; Retry-After says when to try again",
    503: "No planner (agent service) could answer",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the refusals a route can give (429 applies to all)."""
    answers: dict[int | str, dict[str, Any]] = {
        code: {"model": Problem, "description": _WHY[code]} for code in (*codes, 429)
    }
    answers[429]["headers"] = _RETRY_AFTER
    return answers


#: Route options of a change that answers 204 with no body (so the schema shows none).
NO_CONTENT: dict[str, Any] = {"status_code": 204, "response_class": Response}

EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "AG-UI events as Server-Sent Events (`data: <json>`), ending with "
        "RUN_FINISHED or RUN_ERROR",
        # One SSE event (OpenAPI 3.1 puts the per-event schema under `schema`): its data
        # is the JSON of one AG-UI event, `{"type": ...}`.
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {"type": "string", "contentMediaType": "application/json"},
                        "event": {"type": "string"},
                        "id": {"type": "string"},
                        "retry": {"type": "integer"},
                    },
                }
            }
        },
    }
}


class PlaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name
    address: Address = ""
    latitude: Latitude
    longitude: Longitude
    rating: Rating | None = None
    description: Description = ""


class PlacePatchIn(BaseModel):
    """Fields left out keep their value; a name or coordinates can change, never vanish."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name | SkipJsonSchema[None] = None
    address: Address | None = None
    latitude: Latitude | SkipJsonSchema[None] = None
    longitude: Longitude | SkipJsonSchema[None] = None
    rating: Rating | None = None
    description: Description | None = None


def _json_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return value


class TripIn(BaseModel):
    """A trip started by hand: its name and where the map shows it until it has places."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name
    center_latitude: Latitude
    center_longitude: Longitude
    # Not strict: JSON's 9.0 is the integer 9; but `true` or `"9"` is no zoom level.
    zoom: Annotated[int, Field(ge=1, le=20, strict=False), BeforeValidator(_json_number)] = 13


class TripRenameIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name


class PlaceOut(BaseModel):
    id: str
    name: str
    address: str
    latitude: float
    longitude: float
    rating: float | None
    description: str


class DayOut(BaseModel):
    """One day of a trip: its places' ids in visiting order."""

    id: str
    date: str | None = Field(description="YYYY-MM-DD")
    title: str
    place_ids: list[str]


class TripOut(BaseModel):
    id: str
    name: str
    center_latitude: float
    center_longitude: float
    zoom: int
    places: list[PlaceOut]
    days: list[DayOut] = Field(default_factory=list, description="Missing on old trips: []")
    start_date: str | None = Field(default=None, description="YYYY-MM-DD")


# A JSON number (2.0 is 2; not `true`, not `"2"`), as the agent's rules say.
DayNumber = Annotated[int, Field(ge=1, le=30, strict=False), BeforeValidator(_json_number)]
Position = Annotated[int, Field(ge=1, strict=False), BeforeValidator(_json_number)]


class PlaceMoveIn(BaseModel):
    """Places into day `day` at 1-based `position` (null: at the end); `day` null takes
    them out of every day ("not yet scheduled")."""

    model_config = ConfigDict(extra="forbid", strict=True)

    place_ids: list[Id] = Field(min_length=1, max_length=100)
    day: DayNumber | None
    position: Position | None = None


def _json_string(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be a date as YYYY-MM-DD")
    return value


# A date as JSON has it (a YYYY-MM-DD string, not a number).
IsoDate = Annotated[datetime.date, Field(strict=False), BeforeValidator(_json_string)]


class StartDateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    start_date: IsoDate | None = Field(description="YYYY-MM-DD, or null to clear the dates")


class LegOut(BaseModel):
    from_place_id: str
    to_place_id: str
    distance_m: float
    duration_s: float


class DayRouteOut(BaseModel):
    day_id: str
    day: int
    date: str | None
    title: str
    place_ids: list[str]
    legs: list[LegOut]
    distance_m: float
    duration_s: float
    geometry: dict[str, Any] | None = Field(description="GeoJSON LineString, or null")
    estimate: bool
    provider: str
    note: str | None
    google_maps_url: str | None


class RoutesOut(BaseModel):
    trip_id: str
    name: str
    profile: str
    days: list[DayRouteOut]
    distance_m: float
    duration_s: float
    estimate: bool
    unscheduled_place_ids: list[str]


class PlaceSearchOut(BaseModel):
    query: str
    places: list[PlaceOut]
    note: str | None


class StateOut(BaseModel):
    trips: list[TripOut]
    selected_trip_id: str | None
    pending_approval: dict[str, Any] | None


class HistoryOut(BaseModel):
    items: list[dict[str, Any]]


class NewConversationOut(BaseModel):
    csrf_token: str
    state: StateOut
    history: list[dict[str, Any]]


async def validation_sentence(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 as one sentence naming the first field that is wrong (a body that is
    not JSON at all: the kit's 400)."""
    if not isinstance(exc, RequestValidationError):
        return JSONResponse({"detail": "The request is not valid."}, status_code=422)
    if (answer := not_json(exc)) is not None:
        return answer
    errors = exc.errors()
    first = errors[0] if errors else {}
    field = next((str(p) for p in reversed(first.get("loc", ())) if isinstance(p, str)), "")
    message = str(first.get("msg", "is not valid")).rstrip(".")
    if field in ("body", ""):
        detail = f"The request is not valid: {message}."
    else:
        detail = f"Please check the {field}: {message}."
    return JSONResponse({"detail": detail}, status_code=422)
