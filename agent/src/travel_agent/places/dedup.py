"""Dropping places that a search returned twice (same id, or same name a few steps apart,
as when OpenStreetMap maps a museum both as a point and as its building)."""

from __future__ import annotations

from collections.abc import Iterable

from ..geo import distance_km
from ..models import Place
from .gazetteer.text import normalize

__all__ = ["SAME_PLACE_KM", "dedupe_places", "distance_km"]

SAME_PLACE_KM = 0.3


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
