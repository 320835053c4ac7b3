"""Spreading a trip's places over N days: geographic clusters of balanced size (sizes
differ by at most one), each day in route order, days ordered so that one day ends near
where the next begins."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

from ..models import Day, Place
from .route_order import route_order

MAX_ITERATIONS = 25


def day_id(index: int) -> str:
    return f"day-{index + 1}"


def _project(places: Sequence[Place]) -> list[tuple[float, float]]:
    """Equirectangular plane around the places' mean latitude (good at city scale), in km."""
    lat0 = math.radians(sum(p.latitude for p in places) / len(places))
    k = 111.2
    return [(p.longitude * k * math.cos(lat0), p.latitude * k) for p in places]


def _sq(a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _seeds(xy: list[tuple[float, float]], k: int) -> list[tuple[float, float]]:
    """Farthest-point seeding from the point farthest from the centre: spread, deterministic."""
    cx = sum(x for x, _ in xy) / len(xy)
    cy = sum(y for _, y in xy) / len(xy)
    first = max(range(len(xy)), key=lambda i: (_sq(xy[i], (cx, cy)), -i))
    chosen = [first]
    nearest = [_sq(p, xy[first]) for p in xy]
    while len(chosen) < k:
        nxt = max(range(len(xy)), key=lambda i: (nearest[i], -i))
        chosen.append(nxt)
        nearest = [min(nearest[i], _sq(xy[i], xy[nxt])) for i in range(len(xy))]
    return [xy[i] for i in chosen]


def _balanced_assign(
    xy: list[tuple[float, float]], centres: list[tuple[float, float]]
) -> list[int]:
    """Nearest centre under capacities: every cluster gets ⌊n/k⌋ or ⌊n/k⌋+1 points.

    Greedy over all (distance, point, centre) pairs, shortest first; complete because a
    cluster with room at the end had room whenever one of its pairs came up."""
    n, k = len(xy), len(centres)
    floor, extra = divmod(n, k)
    pairs = sorted((_sq(p, c), i, j) for i, p in enumerate(xy) for j, c in enumerate(centres))
    size = [0] * k
    owner = [-1] * n
    extras_used = 0
    for _, i, j in pairs:
        if owner[i] >= 0:
            continue
        if size[j] < floor or (size[j] == floor and extras_used < extra):
            if size[j] == floor:
                extras_used += 1
            owner[i] = j
            size[j] += 1
    return owner


def cluster(places: Sequence[Place], k: int) -> list[list[int]]:
    """Indices of `places` in k geographic groups of balanced size (balanced k-means)."""
    n = len(places)
    if n == 0:
        return [[] for _ in range(k)]
    xy = _project(places)
    centres = _seeds(xy, min(k, n))
    while len(centres) < k:  # more days than places: the rest stay empty
        centres.append(centres[-1])
    owner = _balanced_assign(xy, centres)
    for _ in range(MAX_ITERATIONS):
        groups: list[list[int]] = [[] for _ in range(k)]
        for i, j in enumerate(owner):
            groups[j].append(i)
        centres = [
            (sum(xy[i][0] for i in g) / len(g), sum(xy[i][1] for i in g) / len(g)) if g else c
            for g, c in zip(groups, centres, strict=True)
        ]
        new_owner = _balanced_assign(xy, centres)
        if new_owner == owner:
            break
        owner = new_owner
    groups = [[] for _ in range(k)]
    for i, j in enumerate(owner):
        groups[j].append(i)
    return groups


def ordered_ids(places: Sequence[Place]) -> list[str]:
    """The places' ids in route order."""
    order = route_order([(p.latitude, p.longitude) for p in places])
    return [places[i].id for i in order]


def plan_days(
    places: Sequence[Place], day_count: int, start_date: datetime.date | None = None
) -> list[Day]:
    """`day_count` days over `places`: clustered, balanced, each in route order, dated from
    `start_date` when given."""
    groups = [g for g in cluster(places, day_count) if g]
    empty = day_count - len(groups)
    # Order the days along a route through their centres, then each day's own route.
    centres = [
        (
            sum(places[i].latitude for i in g) / len(g),
            sum(places[i].longitude for i in g) / len(g),
        )
        for g in groups
    ]
    day_order = route_order(centres)
    days: list[Day] = []
    for n, gi in enumerate(day_order):
        members = [places[i] for i in sorted(groups[gi])]
        days.append(Day(id=day_id(n), place_ids=ordered_ids(members)))
    days.extend(Day(id=day_id(len(days) + i)) for i in range(empty))
    return with_dates(days, start_date)


def with_dates(days: list[Day], start_date: datetime.date | None) -> list[Day]:
    """Consecutive dates from `start_date`; None clears them."""
    return [
        d.model_copy(
            update={"date": start_date + datetime.timedelta(days=i) if start_date else None}
        )
        for i, d in enumerate(days)
    ]
