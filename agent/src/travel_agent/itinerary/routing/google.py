"""Google Routes API: `POST https://routes.googleapis.com/directions/v2:computeRoutes` with
the API key in `X-Goog-Api-Key` and a field mask asking only for what is shown (per-leg
distance and duration, and the line as GeoJSON)."""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import SecretStr

from ...places.http import PlacesHTTPClient
from .base import Leg, Point, Profile, Route, RoutingFailed, answered_route, ask, route_in_pieces

log = logging.getLogger("travel_agent.routing")

FIELD_MASK = (
    "routes.legs.distanceMeters,routes.legs.duration,routes.distanceMeters,routes.duration,"
    "routes.polyline.geoJsonLinestring"
)
TRAVEL_MODES: dict[str, str] = {"walking": "WALK", "driving": "DRIVE"}
#: The Routes API takes at most 25 intermediate waypoints per request.
MAX_POINTS = 27
DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")


def _waypoint(p: Point) -> dict[str, Any]:
    return {"location": {"latLng": {"latitude": p[0], "longitude": p[1]}}}


def _seconds(value: Any) -> float:
    match = DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r}")
    return float(match.group(1))


def _legs_and_line(route: Any) -> tuple[list[Leg], list[tuple[float, float]]]:
    legs = [
        Leg(float(leg.get("distanceMeters", 0)), _seconds(leg.get("duration", "0s")))
        for leg in route["legs"]
    ]
    coords = route["polyline"]["geoJsonLinestring"]["coordinates"]
    return legs, [(float(c[0]), float(c[1])) for c in coords]


class GoogleRouting:
    name = "google"

    def __init__(self, url: str, api_key: SecretStr, http: PlacesHTTPClient) -> None:
        self.url = url
        self.api_key = api_key
        self.http = http

    async def route(self, points: list[Point], profile: Profile) -> Route:
        return await route_in_pieces(points, profile, self._one, MAX_POINTS, self.name)

    async def _one(self, points: list[Point], profile: Profile) -> Route:
        body = {
            "origin": _waypoint(points[0]),
            "destination": _waypoint(points[-1]),
            "intermediates": [_waypoint(p) for p in points[1:-1]],
            "travelMode": TRAVEL_MODES[profile],
            "polylineEncoding": "GEO_JSON_LINESTRING",
        }
        headers = {
            "X-Goog-Api-Key": self.api_key.get_secret_value(),
            "X-Goog-FieldMask": FIELD_MASK,
        }
        status, data = await ask(self.http, "POST", self.url, json=body, headers=headers)
        if status != 200:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            log.warning(
                "google routes refused",
                extra={"status": status, "google_status": error.get("status")},
            )
            if status in (401, 403):
                raise RoutingFailed("the routing service rejected the API key")
            raise RoutingFailed(f"the routing service answered {status}")
        routes = data.get("routes") if isinstance(data, dict) else None
        if not routes:  # an empty object: Google found no route
            raise RoutingFailed("the routing service found no route between these places")
        return answered_route(points, lambda: _legs_and_line(routes[0]), self.name)

    async def aclose(self) -> None:
        await self.http.aclose()
