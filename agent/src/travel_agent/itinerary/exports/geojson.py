"""GeoJSON (RFC 7946): a Point per place with its day and stop number, a LineString per
day's route."""

from __future__ import annotations

import json
from typing import Any

from ...models import Trip
from ..routes import TripRoutes
from .common import day_places, unscheduled


def render(trip: Trip, routes: TripRoutes) -> str:
    features: list[dict[str, Any]] = []

    def point(place: Any, day: int | None, day_id: str | None, stop: int | None) -> None:
        features.append(
            {
                "type": "Feature",
                "id": place.id,
                "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
                "properties": {
                    "kind": "place",
                    "name": place.name,
                    "address": place.address,
                    "rating": place.rating,
                    "description": place.description,
                    "day": day,
                    "day_id": day_id,
                    "stop": stop,
                },
            }
        )

    for n, (day, route) in enumerate(zip(trip.days, routes.days, strict=True), start=1):
        for i, place in enumerate(day_places(trip, day), start=1):
            point(place, n, day.id, i)
        if route.geometry is not None:
            features.append(
                {
                    "type": "Feature",
                    "id": f"route-{day.id}",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [list(c) for c in route.geometry.coordinates],
                    },
                    "properties": {
                        "kind": "route",
                        "day": n,
                        "day_id": day.id,
                        "date": day.date.isoformat() if day.date else None,
                        "distance_m": route.distance_m,
                        "duration_s": route.duration_s,
                        "estimate": route.estimate,
                        "provider": route.provider,
                        "google_maps_url": route.google_maps_url,
                    },
                }
            )
    for place in unscheduled(trip):
        point(place, None, None, None)
    body = {
        "type": "FeatureCollection",
        "name": trip.name,
        "start_date": trip.start_date.isoformat() if trip.start_date else None,
        "features": features,
    }
    return json.dumps(body, ensure_ascii=False)
