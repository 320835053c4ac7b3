"""Google Places API (New) Text Search as a places provider.

`POST https://places.googleapis.com/v1/places:searchText` with the key in `X-Goog-Api-Key`
and a field mask naming only the fields we map (Google bills by the fields asked for;
`editorialSummary` is in the Enterprise + Atmosphere tier).

The original app called the legacy Places API through the `googlemaps` client. Google no
longer lets new Cloud projects enable the legacy Places API, so a new key only works here,
with Places API (New) enabled on its project.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from pydantic import SecretStr, ValidationError

from ..models import Place
from ..settings import Settings
from .base import SearchResult
from .dedup import dedupe_places
from .http import PlaceSearchFailed, PlacesHTTPClient, Sleep, measured_search

log = logging.getLogger("travel_agent.places")

FIELD_MASK = ",".join(
    [
        "places.id",
        "places.displayName",
        "places.formattedAddress",
        "places.location",
        "places.rating",
        "places.editorialSummary",
    ]
)
BIAS_RADIUS_METERS = 50_000.0  # the largest circle Text Search accepts
MAX_PAGE_SIZE = 20  # Text Search returns at most 20 places per page
MAX_QUERY_CHARS = 300

BAD_KEY = "Google rejected the API key; check GOOGLE_MAPS_API_KEY"


class GooglePlacesProvider:
    """Searches Google Places (New). Never raises from `search`: failures become an
    honest error result."""

    name = "google"

    def __init__(
        self,
        *,
        api_key: SecretStr,
        url: str,
        timeout_seconds: float,
        max_retries: int,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._has_key = bool(api_key.get_secret_value())
        self._http = PlacesHTTPClient(
            provider=self.name,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            headers={
                "X-Goog-Api-Key": api_key.get_secret_value(),
                "X-Goog-FieldMask": FIELD_MASK,
            },
            sleep=sleep,
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> GooglePlacesProvider:
        return cls(
            api_key=settings.google_maps_api_key or SecretStr(""),
            url=settings.google_places_url,
            timeout_seconds=settings.places_timeout_seconds,
            max_retries=settings.places_max_retries,
        )

    async def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult:
        return await measured_search(
            self.name, query, lambda: self._search(query, near=near, limit=limit)
        )

    async def _search(
        self, query: str, *, near: tuple[float, float] | None, limit: int
    ) -> SearchResult:
        if not self._has_key:
            raise PlaceSearchFailed("GOOGLE_MAPS_API_KEY is not set")
        limit = max(1, min(limit, MAX_PAGE_SIZE))
        # pageSize replaces the deprecated maxResultCount (Google ignores the latter when
        # both are given).
        body: dict[str, Any] = {"textQuery": query[:MAX_QUERY_CHARS], "pageSize": limit}
        if near is not None:
            body["locationBias"] = {
                "circle": {
                    "center": {"latitude": near[0], "longitude": near[1]},
                    "radius": BIAS_RADIUS_METERS,
                }
            }
        response = await self._http.send("POST", self._url, json=body)
        if response.status_code != 200:
            raise PlaceSearchFailed(explain_error(response))
        try:
            payload = response.json()
        except ValueError as exc:
            log.warning("google places answered with unreadable JSON", exc_info=exc)
            raise PlaceSearchFailed("Google Places answered with something unreadable") from exc
        items = payload.get("places", []) if isinstance(payload, dict) else []
        places = dedupe_places(p for p in map(to_place, items) if p is not None)[:limit]
        note = None if places else f"Google Places found nothing for {query!r}."
        return SearchResult(query=query, places=places, note=note)

    async def aclose(self) -> None:
        await self._http.aclose()


def to_place(item: Any) -> Place | None:
    """Maps one `Place` of the searchText response; None when it lacks what we need."""
    if not isinstance(item, dict):
        return None
    name = (item.get("displayName") or {}).get("text")
    location = item.get("location") or {}
    if not item.get("id") or not name or "latitude" not in location:
        return None
    try:
        return Place(
            id=item["id"],
            name=str(name)[:200],
            address=str(item.get("formattedAddress") or "")[:500],
            latitude=location["latitude"],
            longitude=location.get("longitude"),
            rating=item.get("rating"),
            description=str((item.get("editorialSummary") or {}).get("text") or "")[:2000],
        )
    except ValidationError as exc:
        log.info("skipping a google place that does not validate", extra={"error": str(exc)})
        return None


def explain_error(response: httpx.Response) -> str:
    """A sentence fragment for Google's error body `{"error": {"code", "message", "status",
    "details"}}`. Google's own message goes to the log only; the key is never repeated."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    status = str(error.get("status") or "")
    reasons = {
        str(d.get("reason"))
        for d in error.get("details") or []
        if isinstance(d, dict) and d.get("reason")
    }
    log.warning(
        "google places error",
        extra={
            "status_code": response.status_code,
            "google_status": status,
            "reasons": sorted(reasons),
            "google_message": str(error.get("message") or "")[:500],
        },
    )
    code = response.status_code
    bad_key = reasons & {"API_KEY_INVALID", "API_KEY_EXPIRED"}
    if code == 401 or status == "UNAUTHENTICATED" or bad_key:
        return BAD_KEY
    if status == "PERMISSION_DENIED" or code == 403:
        if "BILLING_DISABLED" in reasons:
            return "billing is not enabled on the Google Cloud project of GOOGLE_MAPS_API_KEY"
        if reasons & {"SERVICE_DISABLED", "API_KEY_SERVICE_BLOCKED"}:
            return (
                "Places API (New) is not enabled for GOOGLE_MAPS_API_KEY (enable it on the "
                "key's Google Cloud project and allow it in the key's API restrictions)"
            )
        return "Google refused GOOGLE_MAPS_API_KEY access to Places API (New)"
    if status == "RESOURCE_EXHAUSTED" or code == 429:
        return "Google's request quota for this key is used up; try again later"
    if status == "INVALID_ARGUMENT" or code == 400:
        return "Google did not accept the search request"
    if code >= 500:
        return "Google Places is not answering right now; try again later"
    return f"Google Places answered with an unexpected error (HTTP {code})"
