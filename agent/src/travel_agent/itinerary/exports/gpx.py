"""GPX 1.1: a waypoint per place, a route per day (its stops in order)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import gpxpy.gpx

from ...models import Trip
from ..routes import TripRoutes
from .common import day_label, day_places


def render(trip: Trip, routes: TripRoutes) -> str:
    doc = gpxpy.gpx.GPX()
    doc.name = trip.name
    doc.creator = "CoAgents Travel"
    for place in trip.places:
        doc.waypoints.append(
            gpxpy.gpx.GPXWaypoint(
                latitude=place.latitude,
                longitude=place.longitude,
                name=place.name,
                description=place.description or None,
                comment=place.address or None,
            )
        )
    for n, (day, route) in enumerate(zip(trip.days, routes.days, strict=True), start=1):
        rte = gpxpy.gpx.GPXRoute(name=day_label(n, day), number=n)
        if route.google_maps_url:
            # gpxpy writes attribute values as given: escape the URL's `&` ourselves.
            rte.link = escape(route.google_maps_url, {'"': "&quot;"})
        for place in day_places(trip, day):
            rte.points.append(
                gpxpy.gpx.GPXRoutePoint(
                    latitude=place.latitude, longitude=place.longitude, name=place.name
                )
            )
        doc.routes.append(rte)
    return doc.to_xml(version="1.1")
