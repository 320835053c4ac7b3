"""Any OSRM-compatible route service (OSRM itself, or a server that speaks its HTTP API):
`GET {ROUTING_URL}/route/v1/{profile}/{lon,lat;lon,lat;...}?overview=full&geometries=geojson`.
No key. A response is `{"code": "Ok", "routes": [{"legs": [{"distance", "duration"}],
"geometry": {"type": "LineString", "coordinates": [...]}}], "waypoints": [...]}`."""

from __future__ import annotations

import logging
from typing import Any

from ...places.http import PlacesHTTPClient
from .base import Leg, Point, Profile, Route, RoutingFailed, answered_route, ask, route_in_pieces

log = logging.getLogger("travel_agent.routing")

#: OSRM's stock profiles are named car, bike and foot; the demo servers ignore the name.
OSRM_PROFILES: dict[str, str] = {"walking": "foot", "driving": "driving"}
#: Public OSRM servers refuse long requests; longer days are asked in overlapping pieces.
MAX_POINTS = 100


class OsrmRouting:
    name = "osrm"

    def __init__(self, base_url: str, http: PlacesHTTPClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http

    async def route(self, points: list[Point], profile: Profile) -> Route:
        return await route_in_pieces(points, profile, self._one, MAX_POINTS, self.name)

    async def _one(self, points: list[Point], profile: Profile) -> Route:
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        url = f"{self.base_url}/route/v1/{OSRM_PROFILES[profile]}/{coords}"
        params = {"overview": "full", "geometries": "geojson", "steps": "false"}
        status, body = await ask(self.http, "GET", url, params=params)
        code = body.get("code") if isinstance(body, dict) else None
        if status != 200 or code != "Ok":
            log.warning(
                "osrm route refused",
                extra={"status": status, "code": code, "osrm_message": _message(body)},
            )
            if code == "NoRoute":
                raise RoutingFailed("the routing service found no route between these places")
            raise RoutingFailed(f"the routing service answered {status}")
        return answered_route(points, lambda: _legs_and_line(body["routes"][0]), self.name)

    async def aclose(self) -> None:
        await self.http.aclose()


def _message(body: Any) -> str | None:
    return str(body.get("message"))[:300] if isinstance(body, dict) else None


def _legs_and_line(route: Any) -> tuple[list[Leg], list[tuple[float, float]]]:
    legs = [Leg(float(leg["distance"]), float(leg["duration"])) for leg in route["legs"]]
    return legs, [(float(c[0]), float(c[1])) for c in route["geometry"]["coordinates"]]
