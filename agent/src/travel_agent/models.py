"""Trips and places: the validated shapes every change to state must pass through."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PlaceFields(BaseModel):
    """What describes a place, apart from its id."""

    name: Name
    address: Annotated[str, StringConstraints(max_length=500)] = ""
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    rating: float | None = Field(default=None, ge=0, le=5)
    description: Annotated[str, StringConstraints(max_length=2000)] = ""


class Place(PlaceFields):
    """A point of interest in a trip."""

    model_config = ConfigDict(extra="ignore")

    id: Id


class Trip(BaseModel):
    """A named set of places shown on the map."""

    model_config = ConfigDict(extra="ignore")

    id: Id
    name: Name
    center_latitude: float = Field(ge=-90, le=90)
    center_longitude: float = Field(ge=-180, le=180)
    zoom: int = Field(default=13, ge=1, le=20)
    places: list[Place] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_place_ids(self) -> Trip:
        seen: set[str] = set()
        for place in self.places:
            if place.id in seen:
                raise ValueError(f"duplicate place id {place.id!r} in trip {self.id!r}")
            seen.add(place.id)
        return self


class SearchProgress(BaseModel):
    """One place-search query and whether it has finished."""

    query: str
    done: bool = False


class PlaceInput(PlaceFields):
    """A place typed in by hand (the id is assigned by the service)."""

    model_config = ConfigDict(extra="forbid")


class PlacePatch(BaseModel):
    """A partial edit of a place; fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    # May be left out, never emptied: the schema says so (null is refused with a 422).
    name: Name | SkipJsonSchema[None] = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | SkipJsonSchema[None] = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | SkipJsonSchema[None] = None
    rating: float | None = Field(default=None, ge=0, le=5)
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
