"""The day changes the tools propose and the person makes by hand, as pure functions from
a trip to the trip it would become, validated as a stored `Trip` (callers store or propose
it as it is). Errors are ValueError with a sentence the model or the person can act on."""

from __future__ import annotations

import datetime
from typing import Any

from pydantic import ValidationError

from ..models import Day, Trip
from .days import day_id, ordered_ids, plan_days, with_dates


def _changed(trip: Trip, **update: Any) -> Trip:
    """`trip` with `update`, checked as a `Trip` (model_copy alone checks nothing)."""
    try:
        return Trip.model_validate(trip.model_copy(update=update).model_dump())
    except ValidationError as exc:
        reason = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ValueError(f"That change would leave trip {trip.id!r} invalid: {reason}.") from exc


def _dated_from(trip: Trip, start_date: datetime.date | None) -> Trip:
    return _changed(trip, start_date=start_date, days=with_dates(trip.days, start_date))


def spread(trip: Trip, day_count: int, start_date: datetime.date | None = None) -> Trip:
    """All the trip's places over `day_count` days. Day records keep their id and title by
    position (day 1 stays day 1), so a partial approval can leave places where they were."""
    start = start_date if start_date is not None else trip.start_date
    planned = plan_days(trip.places, day_count, start)
    days = [
        d.model_copy(update={"id": trip.days[i].id, "title": trip.days[i].title})
        if i < len(trip.days)
        else d
        for i, d in enumerate(planned)
    ]
    taken = {d.id for d in days}
    # A new day's generated id may collide with a kept one ("day-2" kept at position 1).
    for i, d in enumerate(days):
        if i >= len(trip.days) and [x.id for x in days].count(d.id) > 1:
            n = i
            while day_id(n) in taken:
                n += 1
            taken.add(day_id(n))
            days[i] = d.model_copy(update={"id": day_id(n)})
    return _changed(trip, days=days, start_date=start)


def _day(trip: Trip, number: int) -> Day:
    if not trip.days:
        raise ValueError(f"Trip {trip.id!r} has no days yet; use plan_days first.")
    if number > len(trip.days):
        raise ValueError(f"Trip {trip.id!r} has {len(trip.days)} days; there is no day {number}.")
    return trip.days[number - 1]


def optimise(trip: Trip, number: int) -> Trip:
    """Day `number` (1-based) in route order."""
    day = _day(trip, number)
    by_id = {p.id: p for p in trip.places}
    new = day.model_copy(update={"place_ids": ordered_ids([by_id[i] for i in day.place_ids])})
    return _changed(trip, days=[new if d.id == day.id else d for d in trip.days])


def move(trip: Trip, place_ids: list[str], number: int | None, position: int | None) -> Trip:
    """`place_ids` into day `number` at 1-based `position` (None: at the end), or out of
    every day when `number` is None."""
    unknown = [i for i in place_ids if trip.place(i) is None]
    if unknown:
        raise ValueError(f"Trip {trip.id!r} has no places with ids: {', '.join(unknown)}.")
    if len(set(place_ids)) != len(place_ids):
        raise ValueError("Each place id may be named once.")
    target = _day(trip, number) if number is not None else None
    moving = set(place_ids)
    days = [
        d.model_copy(update={"place_ids": [i for i in d.place_ids if i not in moving]})
        for d in trip.days
    ]
    if target is not None:
        for i, d in enumerate(days):
            if d.id == target.id:
                ids = d.place_ids
                at = len(ids) if position is None else min(position - 1, len(ids))
                days[i] = d.model_copy(update={"place_ids": [*ids[:at], *place_ids, *ids[at:]]})
    return _changed(trip, days=days)


def set_start(trip: Trip, start_date: datetime.date | None) -> Trip:
    """Consecutive dates from `start_date` (None clears them)."""
    return _dated_from(trip, start_date)
