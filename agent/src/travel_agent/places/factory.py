"""Chooses the places provider."""

from __future__ import annotations

from ..settings import Settings
from .base import PlacesProvider
from .offline import OfflineGazetteer


def build_places_provider(settings: Settings, gazetteer: OfflineGazetteer) -> PlacesProvider:
    kind = settings.effective_places_provider
    if kind == "offline":
        return gazetteer
    raise NotImplementedError(f"PLACES_PROVIDER={kind} is not available in this build yet")
