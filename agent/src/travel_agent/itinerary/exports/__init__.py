"""A trip written out for other apps: one module per format, each `render(trip, routes)`.

The format modules (and their libraries) are imported on first use: start-up does not
pay for iCalendar or KML support until someone exports."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ...models import Trip
from ..routes import TripRoutes


@dataclass(frozen=True)
class Format:
    module: str
    media_type: str
    extension: str

    def render(self, trip: Trip, routes: TripRoutes) -> str:
        text: str = importlib.import_module(f"{__name__}.{self.module}").render(trip, routes)
        return text


FORMATS: dict[str, Format] = {
    "geojson": Format("geojson", "application/geo+json", "geojson"),
    "gpx": Format("gpx", "application/gpx+xml", "gpx"),
    "ics": Format("ics", "text/calendar; charset=utf-8", "ics"),
    "kml": Format("kml", "application/vnd.google-earth.kml+xml", "kml"),
    "md": Format("markdown", "text/markdown; charset=utf-8", "md"),
}
