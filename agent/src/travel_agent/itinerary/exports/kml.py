"""KML 2.2: a folder per day with a placemark per stop and the day's route line."""

from __future__ import annotations

import simplekml

from ...models import Trip
from ..routes import TripRoutes
from .common import day_label, day_places, totals, unscheduled


def render(trip: Trip, routes: TripRoutes) -> str:
    doc = simplekml.Kml(name=trip.name)
    for n, (day, route) in enumerate(zip(trip.days, routes.days, strict=True), start=1):
        folder = doc.newfolder(name=day_label(n, day))
        for i, place in enumerate(day_places(trip, day), start=1):
            folder.newpoint(
                name=f"{i}. {place.name}",
                description=place.description or place.address,
                coords=[(place.longitude, place.latitude)],
            )
        if route.geometry is not None:
            line = folder.newlinestring(
                name=f"Route, day {n}",
                description=totals(route, routes.profile),
                coords=route.geometry.coordinates,
            )
            line.style.linestyle.width = 3
    rest = unscheduled(trip)
    if rest:
        folder = doc.newfolder(name="Not yet scheduled")
        for place in rest:
            folder.newpoint(
                name=place.name,
                description=place.description or place.address,
                coords=[(place.longitude, place.latitude)],
            )
    text: str = doc.kml()
    return text
