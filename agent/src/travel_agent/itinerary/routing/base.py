"""What every routing provider returns, and the failure they raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

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
