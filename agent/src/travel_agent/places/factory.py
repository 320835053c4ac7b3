"""Chooses the places provider (`PLACES_PROVIDER`, see `.env.example`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..settings import Settings
from .base import PlacesProvider

if TYPE_CHECKING:
    from .offline import OfflineGazetteer


def build_places_provider(
    settings: Settings, gazetteer: Callable[[], OfflineGazetteer]
) -> PlacesProvider:
    """The provider `settings.effective_places_provider` names. A wrong key does not fail
    here: its searches fail later with a clear message, and the service stays up.
    `gazetteer()` is called only for the offline provider (loading it takes a while)."""
    kind = settings.effective_places_provider
    if kind == "google":
        from .google import GooglePlacesProvider

        return GooglePlacesProvider.from_settings(settings)
    if kind == "osm":
        from .osm import OpenStreetMapProvider

        return OpenStreetMapProvider.from_settings(settings)
    return gazetteer()
