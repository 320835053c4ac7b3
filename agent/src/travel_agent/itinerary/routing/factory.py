"""The routing provider the settings ask for."""

from __future__ import annotations

from ...places.http import PlacesHTTPClient
from ...settings import Settings
from .base import RoutingProvider
from .google import GoogleRouting
from .offline import OfflineEstimates
from .osrm import OsrmRouting


def build_routing_provider(settings: Settings) -> RoutingProvider:
    kind = settings.effective_routing_provider

    def http(name: str) -> PlacesHTTPClient:
        return PlacesHTTPClient(
            provider=name,
            timeout_seconds=settings.routing_timeout_seconds,
            max_retries=settings.routing_max_retries,
            headers={"User-Agent": "coagents-travel (routing)"},
        )

    if kind == "osrm":
        if not settings.routing_url:
            raise ValueError("ROUTING_PROVIDER=osrm needs ROUTING_URL.")
        return OsrmRouting(settings.routing_url, http("osrm"))
    if kind == "google":
        if settings.google_maps_api_key is None:
            raise ValueError("ROUTING_PROVIDER=google needs GOOGLE_MAPS_API_KEY.")
        return GoogleRouting(
            settings.google_routes_url, settings.google_maps_api_key, http("google")
        )
    return OfflineEstimates(settings.routing_detour_factor)
