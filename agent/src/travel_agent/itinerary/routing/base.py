"""What every routing provider returns, the failure they raise, and what the providers
that ask a web service share: one request's answer read and checked, long days in pieces."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ...places.http import PlaceSearchFailed, PlacesHTTPClient

log = logging.getLogger("travel_agent.routing")

Point = tuple[float, float]  # (latitude, longitude)
Profile = Literal["walking", "driving"]


@dataclass(frozen=True)
class Leg:
    distance_m: float
    duration_s: float


@dataclass(frozen=True)
class Route:
    """A route through points in order: one leg per consecutive pair, and its line as
    [longitude, latitude] pairs (GeoJSON order)."""

    legs: list[Leg]
    geometry: list[tuple[float, float]]
    estimate: bool
    provider: str


class RoutingFailed(Exception):
    """The routing service gave no usable answer; `reason` is safe to show (no full stop)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RoutingProvider(Protocol):
    name: str

    async def route(self, points: list[Point], profile: Profile) -> Route: ...

    async def aclose(self) -> None: ...


async def ask(http: PlacesHTTPClient, method: str, url: str, **request: Any) -> tuple[int, Any]:
    """One request to a routing service: its status and its JSON body (None if not JSON)."""
    try:
        r = await http.send(method, url, **request)
    except PlaceSearchFailed as exc:
        raise RoutingFailed(exc.reason) from exc
    try:
        return r.status_code, r.json()
    except ValueError:
        return r.status_code, None


def answered_route(
    points: list[Point],
    read: Callable[[], tuple[list[Leg], list[tuple[float, float]]]],
    provider: str,
) -> Route:
    """The route one request answered: `read()` gives its legs and line from the answer
    (any KeyError, IndexError, TypeError or ValueError is an answer not understood); it
    must have a leg for each pair of points."""
    try:
        legs, geometry = read()
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        log.warning("routing answer not understood", extra={"provider": provider}, exc_info=exc)
        raise RoutingFailed("the routing service's answer could not be read") from exc
    if len(legs) != len(points) - 1:
        raise RoutingFailed("the routing service's answer could not be read")
    return Route(legs=legs, geometry=geometry, estimate=False, provider=provider)


async def route_in_pieces(
    points: list[Point],
    profile: Profile,
    one_request: Callable[[list[Point], Profile], Awaitable[Route]],
    max_points: int,
    provider: str,
) -> Route:
    """A route through more points than one request may carry: overlapping pieces of at
    most `max_points` (each starts where the last ended), their legs and lines joined."""
    legs: list[Leg] = []
    line: list[tuple[float, float]] = []
    for start in range(0, len(points) - 1, max_points - 1):
        piece = await one_request(points[start : start + max_points], profile)
        legs.extend(piece.legs)
        line.extend(piece.geometry if not line else piece.geometry[1:])
    return Route(legs=legs, geometry=line, estimate=False, provider=provider)
