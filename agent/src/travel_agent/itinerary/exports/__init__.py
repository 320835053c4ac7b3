"""A trip written out for other apps: one module per format, each `render(trip, routes)`;
`refusal(trip)` says in one sentence why a trip cannot be written in a format (a calendar
needs dates), else None.

The format modules (and their libraries) are imported on first use: start-up does not
pay for iCalendar or KML support until someone exports."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ...models import Trip
from ..routes import TripRoutes

NO_DATES = "This trip has no dates yet: set a start date to export it as a calendar."
NO_DAYS = (
    "This trip has no days yet: plan it into days with a start date to export it as a calendar."
)


def _undated(trip: Trip) -> str | None:
    """A calendar has an event per dated day; with none it would be an empty file."""
    if any(day.date is not None for day in trip.days):
        return None
    return NO_DATES if trip.days else NO_DAYS


@dataclass(frozen=True)
class Format:
    module: str
    media_type: str
    extension: str
    needs_dates: bool = False

    def refusal(self, trip: Trip) -> str | None:
        return _undated(trip) if self.needs_dates else None

    def render(self, trip: Trip, routes: TripRoutes) -> str:
        text: str = importlib.import_module(f"{__name__}.{self.module}").render(trip, routes)
        return text


FORMATS: dict[str, Format] = {
    "geojson": Format("geojson", "application/geo+json", "geojson"),
    "gpx": Format("gpx", "application/gpx+xml", "gpx"),
    "ics": Format("ics", "text/calendar; charset=utf-8", "ics", needs_dates=True),
    "kml": Format("kml", "application/vnd.google-earth.kml+xml", "kml"),
    "md": Format("markdown", "text/markdown; charset=utf-8", "md"),
}
