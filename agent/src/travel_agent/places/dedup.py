"""Dropping places that a search returned twice (same id, or same name a few steps apart,
as when OpenStreetMap maps a museum both as a point and as its building)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..models import Place
from .gazetteer.text import normalize

SAME_PLACE_KM = 0.3


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def dedupe_places(places: Iterable[Place], *, within_km: float = SAME_PLACE_KM) -> list[Place]:
    """The places in order, without repeats of an id or of a name within `within_km`."""
    kept: list[Place] = []
    ids: set[str] = set()
    by_name: dict[str, list[Place]] = {}
    for place in places:
        if place.id in ids:
            continue
        key = normalize(place.name)
        twins = by_name.setdefault(key, [])
        if any(
            distance_km(place.latitude, place.longitude, t.latitude, t.longitude) <= within_km
            for t in twins
        ):
            continue
        ids.add(place.id)
        twins.append(place)
        kept.append(place)
    return kept
