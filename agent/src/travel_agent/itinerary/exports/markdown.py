"""A Markdown summary. Names and addresses come from places services and people: they are
escaped, never interpreted as Markdown (or HTML)."""

from __future__ import annotations

import re

from ...models import Trip
from ..routes import TripRoutes
from .common import day_label, day_places, totals, unscheduled

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")


def escape(text: str) -> str:
    """Backslash-escape every Markdown punctuation character; newlines become spaces."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def render(trip: Trip, routes: TripRoutes) -> str:
    out = [f"# {escape(trip.name)}", ""]
    if trip.start_date:
        out += [f"Starts {trip.start_date.isoformat()}.", ""]
    for n, (day, route) in enumerate(zip(trip.days, routes.days, strict=True), start=1):
        out += [f"## {escape(day_label(n, day))}", ""]
        places = day_places(trip, day)
        if not places:
            out += ["Nothing planned yet.", ""]
            continue
        for i, place in enumerate(places, start=1):
            line = f"{i}. **{escape(place.name)}**"
            if place.address:
                line += f", {escape(place.address)}"
            out.append(line)
        out.append("")
        if route.legs:
            out += [escape(totals(route, routes.profile)), ""]
        if route.google_maps_url:
            out += [f"[Directions in Google Maps](<{route.google_maps_url}>)", ""]
    rest = unscheduled(trip)
    if rest:
        out += ["## Not yet scheduled", ""]
        out += [f"- {escape(p.name)}" for p in rest]
        out.append("")
    return "\n".join(out)
