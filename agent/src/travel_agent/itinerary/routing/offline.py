"""Estimates with no service: great-circle distance times a detour factor (streets are
not straight lines), at a typical speed. Always labelled as estimates."""

from __future__ import annotations

from itertools import pairwise

from ...geo import distance_km
from .base import Leg, Point, Profile, Route

#: Typical city speeds, km/h: walking pace; driving with lights and traffic.
SPEED_KMH: dict[str, float] = {"walking": 4.8, "driving": 25.0}


class OfflineEstimates:
    name = "offline"

    def __init__(self, detour_factor: float = 1.3) -> None:
        self.detour_factor = detour_factor

    def estimate(self, points: list[Point], profile: Profile) -> Route:
        legs = []
        for a, b in pairwise(points):
            km = distance_km(a[0], a[1], b[0], b[1]) * self.detour_factor
            legs.append(Leg(distance_m=km * 1000, duration_s=km / SPEED_KMH[profile] * 3600))
        return Route(
            legs=legs,
            geometry=[(lon, lat) for lat, lon in points],
            estimate=True,
            provider=self.name,
        )

    async def route(self, points: list[Point], profile: Profile) -> Route:
        return self.estimate(points, profile)

    async def aclose(self) -> None:
        return None
