"""OpenStreetMap as a places provider, without a key.

Nominatim finds a city or a named place; Overpass finds kinds of places around a city
("museums in Rome": Nominatim finds Rome, Overpass finds `tourism=museum` around it).

Both public services have usage policies this follows: a User-Agent naming the
application and a contact (`OSM_CONTACT`), at most one request per second per host, and
answers cached in memory (bounded, with a time to live). Point `NOMINATIM_URL` and
`OVERPASS_URL` at your own instances for heavier use. Data © OpenStreetMap contributors,
ODbL 1.0.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from cachetools import TTLCache
from pydantic import ValidationError

from .. import __version__
from ..models import Place
from ..settings import Settings
from .base import SearchResult
from .dedup import dedupe_places, distance_km
from .http import (
    Clock,
    HostRateLimiter,
    PlaceSearchFailed,
    PlacesHTTPClient,
    Sleep,
    measured_search,
)
from .osm_query import Category, parse_query

log = logging.getLogger("travel_agent.places")

OVERPASS_TIMEOUT_SECONDS = 25
NEAR_RADIUS_M = 5_000  # around a point given as `near`
CENTRAL_RADIUS_M = 2_000  # the "central" set: any named match this close to the centre
MIN_AREA_RADIUS_M, MAX_AREA_RADIUS_M = 2_000, 15_000
PER_SET_LIMIT = 40  # elements Overpass returns per set (notable, central)
VIEWBOX_DEGREES = 0.25
MAX_QUERY_CHARS = 300


def user_agent(contact: str) -> str:
    return f"CoAgentsTravel/{__version__} (+{contact})"


class OpenStreetMapProvider:
    """Searches OpenStreetMap. Never raises from `search`: failures become an honest
    error result."""

    name = "osm"

    def __init__(
        self,
        *,
        nominatim_url: str,
        overpass_url: str,
        contact: str,
        timeout_seconds: float,
        max_retries: int,
        min_interval_seconds: float = 1.0,
        cache_ttl_seconds: float = 86_400.0,
        cache_max_entries: int = 1024,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._search_url = nominatim_url.rstrip("/") + "/search"
        self._overpass_url = overpass_url
        self.limiter = HostRateLimiter(min_interval_seconds, clock=clock, sleep=sleep)
        self._http = PlacesHTTPClient(
            provider=self.name,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            headers={"User-Agent": user_agent(contact), "Accept": "application/json"},
            limiter=self.limiter,
            sleep=sleep,
            transport=transport,
        )
        self._cache: TTLCache[tuple[Any, ...], Any] = TTLCache(
            maxsize=cache_max_entries, ttl=cache_ttl_seconds, timer=clock
        )
        self._in_flight: dict[tuple[Any, ...], asyncio.Future[Any]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenStreetMapProvider:
        return cls(
            nominatim_url=settings.nominatim_url,
            overpass_url=settings.overpass_url,
            contact=settings.osm_contact,
            timeout_seconds=settings.places_timeout_seconds,
            max_retries=settings.places_max_retries,
            min_interval_seconds=settings.osm_min_interval_seconds,
            cache_ttl_seconds=settings.osm_cache_ttl_seconds,
            cache_max_entries=settings.osm_cache_max_entries,
        )

    async def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult:
        return await measured_search(
            self.name, query, lambda: self._search(query[:MAX_QUERY_CHARS], near, limit)
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _search(
        self, query: str, near: tuple[float, float] | None, limit: int
    ) -> SearchResult:
        limit = max(1, min(limit, 40))
        parsed = parse_query(query)
        places: list[Place] = []
        if parsed.category is not None:
            if parsed.area is not None:
                area = await self._find_area(parsed.area)
                if area is None:
                    note = f"OpenStreetMap does not know a place called {parsed.area!r}."
                    return SearchResult(query=query, note=note)
            elif near is not None:
                area = Area(near[0], near[1], NEAR_RADIUS_M, "")
            else:
                note = (
                    f"OpenStreetMap needs a city to search for a {parsed.category.label}: "
                    "add one to the query, for example 'museums in Rome'."
                )
                return SearchResult(query=query, note=note)
            places = await self._around(parsed.category, area, limit)
            near = near or (area.latitude, area.longitude)
        if not places:  # a named place, or a kind of place Overpass had nothing for
            places = await self._named(parsed.text, near, limit)
        nothing = None if places else f"OpenStreetMap has nothing for {query!r}."
        return SearchResult(query=query, places=places, note=nothing)

    async def _find_area(self, name: str) -> Area | None:
        params = {"q": name, "format": "jsonv2", "limit": "1", "accept-language": "en"}
        results = await self._fetch("Nominatim", "GET", self._search_url, params=params)
        if not isinstance(results, list) or not results or not isinstance(results[0], dict):
            return None
        first = results[0]
        try:
            lat, lon = float(first["lat"]), float(first["lon"])
        except (KeyError, TypeError, ValueError):
            return None
        return Area(lat, lon, area_radius_m(first.get("boundingbox"), lat, lon), label(first))

    async def _around(self, category: Category, area: Area, limit: int) -> list[Place]:
        query = overpass_query(category, area.latitude, area.longitude, area.radius_m)
        payload = await self._fetch("Overpass", "POST", self._overpass_url, data={"data": query})
        elements = payload.get("elements", []) if isinstance(payload, dict) else []
        scored: list[tuple[tuple[int, float], Place]] = []
        for element in elements:
            place = element_to_place(element, category, area.label)
            if place is None:
                continue
            tags = element.get("tags") or {}
            notable = 0 if ("wikidata" in tags or "wikipedia" in tags) else 1
            far = distance_km(area.latitude, area.longitude, place.latitude, place.longitude)
            scored.append(((notable, far), place))
        scored.sort(key=lambda pair: pair[0])
        return dedupe_places(place for _, place in scored)[:limit]

    async def _named(self, text: str, near: tuple[float, float] | None, limit: int) -> list[Place]:
        params = {
            "q": text,
            "format": "jsonv2",
            "limit": str(limit),
            "accept-language": "en",
        }
        if near is not None:
            lat, lon = near
            bounded = {
                **params,
                "viewbox": ",".join(
                    f"{v:.5f}"
                    for v in (
                        lon - VIEWBOX_DEGREES,
                        lat + VIEWBOX_DEGREES,
                        lon + VIEWBOX_DEGREES,
                        lat - VIEWBOX_DEGREES,
                    )
                ),
                "bounded": "1",
            }
            places = nominatim_places(
                await self._fetch("Nominatim", "GET", self._search_url, params=bounded)
            )
            if places:
                return dedupe_places(places)[:limit]
        found = await self._fetch("Nominatim", "GET", self._search_url, params=params)
        return dedupe_places(nominatim_places(found))[:limit]

    async def _fetch(
        self,
        service: str,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> Any:
        """The JSON answer, from the cache when the same request was answered before, or
        shared with an identical request already on its way (searches run in parallel, and
        "museums in Rome" and "churches in Rome" both look up Rome)."""
        key = (method, url, tuple(sorted((params or {}).items())), tuple((data or {}).items()))
        if key in self._cache:
            return self._cache[key]
        pending = self._in_flight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        task = asyncio.ensure_future(self._fetch_fresh(service, method, url, params, data))
        self._in_flight[key] = task
        try:
            payload = await asyncio.shield(task)
        finally:
            self._in_flight.pop(key, None)
        self._cache[key] = payload
        return payload

    async def _fetch_fresh(
        self,
        service: str,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
    ) -> Any:
        response = await self._http.send(method, url, params=params, data=data)
        if response.status_code != 200:
            raise PlaceSearchFailed(explain_error(service, response))
        try:
            payload = response.json()
        except ValueError as exc:
            log.warning(
                "openstreetmap answered with something that is not JSON",
                extra={"service": service, "body": response.text[:300]},
            )
            raise PlaceSearchFailed(explain_error(service, response)) from exc
        remark = payload.get("remark") if isinstance(payload, dict) else None
        if isinstance(remark, str) and "error" in remark.casefold():
            # Overpass reports a query it had to give up on as 200 with a remark.
            log.warning("overpass remark", extra={"remark": remark[:300]})
            raise PlaceSearchFailed(
                "OpenStreetMap's Overpass service could not finish the search; try again later"
            )
        return payload


@dataclass(frozen=True)
class Area:
    """Where to look for a kind of place: a centre, a radius, and a name for addresses."""

    latitude: float
    longitude: float
    radius_m: int
    label: str


def label(item: Mapping[str, Any]) -> str:
    return str(item.get("display_name") or item.get("name") or "")[:500]


def area_radius_m(bbox: Any, lat: float, lon: float) -> int:
    """Half the diagonal of Nominatim's `boundingbox` [south, north, west, east], clamped."""
    try:
        south, north, west, east = (float(v) for v in bbox)
    except (TypeError, ValueError):
        return MIN_AREA_RADIUS_M
    half = distance_km(south, west, north, east) * 500
    return int(min(MAX_AREA_RADIUS_M, max(MIN_AREA_RADIUS_M, half)))


def overpass_query(category: Category, lat: float, lon: float, radius_m: int) -> str:
    """Named places of a kind: the notable ones (with a Wikidata link) across the area,
    and any near its centre."""
    centre = f"{lat:.6f},{lon:.6f}"
    central_m = min(radius_m, CENTRAL_RADIUS_M)
    notable = "".join(
        f'  nwr{f}["name"]["wikidata"](around:{radius_m},{centre});\n' for f in category.filters
    )
    central = "".join(f'  nwr{f}["name"](around:{central_m},{centre});\n' for f in category.filters)
    return (
        f"[out:json][timeout:{OVERPASS_TIMEOUT_SECONDS}];\n"
        f"(\n{notable})->.notable;\n"
        f".notable out tags center {PER_SET_LIMIT};\n"
        f"(\n{central})->.central;\n"
        f".central out tags center {PER_SET_LIMIT};\n"
    )


def _coordinates(element: Mapping[str, Any]) -> tuple[float, float] | None:
    point = element if "lat" in element else element.get("center") or {}
    try:
        return float(point["lat"]), float(point["lon"])
    except (KeyError, TypeError, ValueError):
        return None


def _address(tags: Mapping[str, str]) -> str:
    street = " ".join(p for p in (tags.get("addr:street"), tags.get("addr:housenumber")) if p)
    town = " ".join(p for p in (tags.get("addr:postcode"), tags.get("addr:city")) if p)
    return ", ".join(p for p in (street, town) if p)


def element_to_place(element: Any, category: Category, area_label: str) -> Place | None:
    """Maps one Overpass element (node with lat/lon, way/relation with `center`)."""
    if not isinstance(element, dict):
        return None
    tags = element.get("tags") or {}
    name = tags.get("name:en") or tags.get("name")
    where = _coordinates(element)
    if not name or where is None or "type" not in element or "id" not in element:
        return None
    description = tags.get("description") or category.label.capitalize()
    try:
        return Place(
            id=f"osm:{element['type']}:{element['id']}",
            name=str(name)[:200],
            address=(_address(tags) or area_label)[:500],
            latitude=where[0],
            longitude=where[1],
            description=str(description)[:2000],
        )
    except ValidationError as exc:
        log.info("skipping an overpass element that does not validate", extra={"error": str(exc)})
        return None


def nominatim_places(results: Any) -> list[Place]:
    """Maps Nominatim `format=jsonv2` results (lat/lon are strings there)."""
    places: list[Place] = []
    for item in results if isinstance(results, list) else []:
        if not isinstance(item, dict) or "osm_type" not in item or "osm_id" not in item:
            continue
        display = str(item.get("display_name") or "")
        name = item.get("name") or display.split(",")[0]
        kind = str(item.get("type") or item.get("category") or "").replace("_", " ")
        try:
            places.append(
                Place(
                    id=f"osm:{item['osm_type']}:{item['osm_id']}",
                    name=str(name)[:200],
                    address=display[:500],
                    latitude=float(item["lat"]),
                    longitude=float(item["lon"]),
                    description=kind.capitalize() if kind and kind != "yes" else "",
                )
            )
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            log.info("skipping a nominatim result", extra={"error": str(exc)})
    return places


def explain_error(service: str, response: httpx.Response) -> str:
    """A sentence fragment for a failed Nominatim/Overpass answer (often HTML or text)."""
    code = response.status_code
    body = response.text[:2000].casefold()
    log.warning(
        "openstreetmap error",
        extra={"service": service, "status_code": code, "body": response.text[:300]},
    )
    if code == 429 or "rate_limited" in body or "too many requests" in body:
        return f"OpenStreetMap's {service} service is limiting our requests; try again in a minute"
    if code == 504 or "request_read_and_idx::timeout" in body or "too busy" in body:
        return f"OpenStreetMap's {service} service is too busy right now; try again later"
    if code == 403:
        return (
            f"OpenStreetMap's {service} service refused the request "
            "(its usage policy may block this server; set OSM_CONTACT or use your own instance)"
        )
    if code >= 500:
        return f"OpenStreetMap's {service} service is not answering right now; try again later"
    if code == 200:
        return f"OpenStreetMap's {service} service answered with something unreadable"
    return f"OpenStreetMap's {service} service did not accept the request (HTTP {code})"
