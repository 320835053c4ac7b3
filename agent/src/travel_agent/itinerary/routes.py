"""Routes of a trip's days: per leg and per day, from the routing provider, falling back
to labelled estimates when it fails (a person still gets times, told they are estimates)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from itertools import pairwise

from cachetools import TTLCache
from pydantic import BaseModel, Field

from ..models import Place, Trip
from .links import directions_url
from .routing.base import Point, Profile, Route, RoutingFailed, RoutingProvider
from .routing.offline import OfflineEstimates

log = logging.getLogger("travel_agent.routing")


class LegView(BaseModel):
    from_place_id: str
    to_place_id: str
    distance_m: int
    duration_s: int


def _totals(parts: Sequence[LegView | DayRoute]) -> dict[str, int]:
    """The distance and time of legs or days, added up."""
    return {
        "distance_m": sum(p.distance_m for p in parts),
        "duration_s": sum(p.duration_s for p in parts),
    }


class LineString(BaseModel):
    type: str = "LineString"
    coordinates: list[tuple[float, float]] = Field(description="[longitude, latitude] pairs")


class DayRoute(BaseModel):
    day_id: str
    day: int = Field(description="1 = the first day")
    date: datetime.date | None
    title: str
    place_ids: list[str]
    legs: list[LegView]
    distance_m: int
    duration_s: int
    geometry: LineString | None = Field(description="The route line; null for under 2 places")
    estimate: bool = Field(description="True when times come from straight-line estimates")
    provider: str
    note: str | None = Field(default=None, description="Why these are estimates, if so")
    google_maps_url: str | None


class TripRoutes(BaseModel):
    trip_id: str
    name: str
    profile: Profile
    days: list[DayRoute]
    distance_m: int
    duration_s: int
    estimate: bool
    unscheduled_place_ids: list[str]


ESTIMATE_NOTE = "Estimated from straight-line distance with a detour factor."


class RouteService:
    def __init__(
        self,
        provider: RoutingProvider,
        offline: OfflineEstimates,
        profile: Profile,
        *,
        cache_ttl_seconds: float = 3600.0,
    ) -> None:
        self.provider = provider
        self.offline = offline
        self.profile = profile
        # Real routes only: an answer for the same stops is the same answer for a while.
        self._cache: TTLCache[tuple[str, tuple[Point, ...]], Route] = TTLCache(
            maxsize=512, ttl=cache_ttl_seconds
        )

    async def _route(self, points: list[Point]) -> tuple[Route, str | None]:
        if isinstance(self.provider, OfflineEstimates):
            return self.offline.estimate(points, self.profile), ESTIMATE_NOTE
        key = (self.profile, tuple(points))
        cached = self._cache.get(key)
        if cached is not None:
            return cached, None
        try:
            route = await self.provider.route(points, self.profile)
        except RoutingFailed as exc:
            note = f"The routing service is unavailable ({exc.reason}); times are estimates."
            return self.offline.estimate(points, self.profile), note
        except Exception:
            log.exception("routing failed", extra={"provider": self.provider.name})
            note = "The routing service failed; times are estimates."
            return self.offline.estimate(points, self.profile), note
        self._cache[key] = route
        return route, None

    async def day_route(self, n: int, trip: Trip, day_index: int) -> DayRoute:
        day = trip.days[day_index]
        by_id = {p.id: p for p in trip.places}
        places: list[Place] = [by_id[i] for i in day.place_ids]
        legs: list[LegView] = []
        geometry = None
        estimate, provider, note = True, self.offline.name, None
        if len(places) >= 2:
            route, note = await self._route([(p.latitude, p.longitude) for p in places])
            estimate, provider = route.estimate, route.provider
            legs = [
                LegView(
                    from_place_id=a.id,
                    to_place_id=b.id,
                    distance_m=round(leg.distance_m),
                    duration_s=round(leg.duration_s),
                )
                for (a, b), leg in zip(pairwise(places), route.legs, strict=True)
            ]
            geometry = LineString(coordinates=route.geometry)
        return DayRoute(
            day_id=day.id,
            day=n,
            date=day.date,
            title=day.title,
            place_ids=day.place_ids,
            legs=legs,
            **_totals(legs),
            geometry=geometry,
            estimate=estimate,
            provider=provider,
            note=note if estimate else None,
            google_maps_url=directions_url(places, self.profile),
        )

    async def trip_routes(self, trip: Trip) -> TripRoutes:
        days = [await self.day_route(i + 1, trip, i) for i in range(len(trip.days))]
        return TripRoutes(
            trip_id=trip.id,
            name=trip.name,
            profile=self.profile,
            days=days,
            **_totals(days),
            estimate=any(d.estimate for d in days if d.legs),
            unscheduled_place_ids=trip.unscheduled_place_ids(),
        )

    async def aclose(self) -> None:
        await self.provider.aclose()
