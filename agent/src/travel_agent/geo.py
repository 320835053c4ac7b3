"""Great-circle distance: the one haversine every module uses (places, days, routes)."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_matrix_km(points: list[tuple[float, float]]) -> list[list[float]]:
    """Every pairwise distance of (latitude, longitude) points, symmetric, zero diagonal."""
    n = len(points)
    rad = [(math.radians(lat), math.radians(lon)) for lat, lon in points]
    cos_lat = [math.cos(p) for p, _ in rad]
    out = [[0.0] * n for _ in range(n)]
    for i in range(n):
        pi, li = rad[i]
        ci = cos_lat[i]
        row = out[i]
        for j in range(i + 1, n):
            pj, lj = rad[j]
            a = math.sin((pj - pi) / 2) ** 2 + ci * cos_lat[j] * math.sin((lj - li) / 2) ** 2
            d = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
            row[j] = d
            out[j][i] = d
    return out
