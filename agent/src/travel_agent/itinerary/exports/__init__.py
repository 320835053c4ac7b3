"""A trip written out for other apps: one module per format, each `render(trip, routes)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...models import Trip
from ..routes import TripRoutes
from . import geojson, gpx, ics, kml, markdown


@dataclass(frozen=True)
class Format:
    render: Callable[[Trip, TripRoutes], str]
    media_type: str
    extension: str


FORMATS: dict[str, Format] = {
    "geojson": Format(geojson.render, "application/geo+json", "geojson"),
    "gpx": Format(gpx.render, "application/gpx+xml", "gpx"),
    "ics": Format(ics.render, "text/calendar; charset=utf-8", "ics"),
    "kml": Format(kml.render, "application/vnd.google-earth.kml+xml", "kml"),
    "md": Format(markdown.render, "text/markdown; charset=utf-8", "md"),
}
