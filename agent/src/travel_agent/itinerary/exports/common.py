"""What the formats share: each day's places in order, and readable totals."""

from __future__ import annotations

from ...models import Day, Place, Trip
from ..routes import DayRoute


def day_places(trip: Trip, day: Day) -> list[Place]:
    by_id = {p.id: p for p in trip.places}
    return [by_id[i] for i in day.place_ids]


def unscheduled(trip: Trip) -> list[Place]:
    ids = set(trip.unscheduled_place_ids())
    return [p for p in trip.places if p.id in ids]


def day_label(n: int, day: Day) -> str:
    label = f"Day {n}"
    if day.date:
        label += f" ({day.date.isoformat()})"
    if day.title:
        label += f": {day.title}"
    return label


def totals(route: DayRoute, profile: str) -> str:
    km = route.distance_m / 1000
    minutes = round(route.duration_s / 60)
    text = f"{km:.1f} km, about {minutes} min {profile}"
    return text + (" (estimate)" if route.estimate else "")
