"""Trips and places: the validated shapes every change to state must pass through."""

from __future__ import annotations

import datetime
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


class Day(BaseModel):
    """One day of a trip: its places in route order (ordered = the order to visit them)."""

    model_config = ConfigDict(extra="ignore")

    id: Id
    date: datetime.date | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    place_ids: list[Id] = Field(default_factory=list)


class Trip(BaseModel):
    """A named set of places shown on the map, optionally arranged into days.

    Places in no day are "not yet scheduled". Trips stored before days existed load with
    `days == []`."""

    model_config = ConfigDict(extra="ignore")

    id: Id
    name: Name
    center_latitude: float = Field(ge=-90, le=90)
    center_longitude: float = Field(ge=-180, le=180)
    zoom: int = Field(default=13, ge=1, le=20)
    places: list[Place] = Field(default_factory=list)
    days: list[Day] = Field(default_factory=list, max_length=30)
    start_date: datetime.date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Trip:
        seen: set[str] = set()
        for place in self.places:
            if place.id in seen:
                raise ValueError(f"duplicate place id {place.id!r} in trip {self.id!r}")
            seen.add(place.id)
        day_ids: set[str] = set()
        scheduled: set[str] = set()
        for day in self.days:
            if day.id in day_ids:
                raise ValueError(f"duplicate day id {day.id!r} in trip {self.id!r}")
            day_ids.add(day.id)
            for pid in day.place_ids:
                if pid not in seen:
                    raise ValueError(
                        f"day {day.id!r} names {pid!r}, which is not a place of the trip"
                    )
                if pid in scheduled:
                    raise ValueError(f"place {pid!r} is in more than one day of trip {self.id!r}")
                scheduled.add(pid)
        return self

    def place(self, place_id: str) -> Place | None:
        return next((p for p in self.places if p.id == place_id), None)

    def unscheduled_place_ids(self) -> list[str]:
        scheduled = {pid for day in self.days for pid in day.place_ids}
        return [p.id for p in self.places if p.id not in scheduled]


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
