"""Distances, and finding points within a radius without measuring to every point."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from ...geo import EARTH_RADIUS_KM, distance_km

__all__ = ["EARTH_RADIUS_KM", "KM_PER_DEGREE_LATITUDE", "PointIndex", "distance_km"]

KM_PER_DEGREE_LATITUDE = 111.2


class PointIndex:
    """Points sorted by latitude: a radius search measures only the band that can match."""

    def __init__(self, latitudes: Sequence[float], longitudes: Sequence[float]) -> None:
        self._order = sorted(range(len(latitudes)), key=latitudes.__getitem__)
        self._sorted_lat = [latitudes[i] for i in self._order]
        self._lat = latitudes
        self._lon = longitudes

    def within(self, point: tuple[float, float], radius_km: float) -> list[tuple[float, int]]:
        """(distance, point id) for every point within `radius_km`, nearest first."""
        band = radius_km / KM_PER_DEGREE_LATITUDE
        lo = bisect_left(self._sorted_lat, point[0] - band)
        hi = bisect_right(self._sorted_lat, point[0] + band)
        found = []
        for i in self._order[lo:hi]:
            d = distance_km(point[0], point[1], self._lat[i], self._lon[i])
            if d <= radius_km:
                found.append((d, i))
        found.sort()
        return found

    def nearest(self, point: tuple[float, float], max_km: float) -> int | None:
        found = self.within(point, max_km)
        return found[0][1] if found else None
