"""Visiting order for one day's places: nearest neighbour, then 2-opt, on great-circle
distances. A day is an open path (no return to the start), so the tour is solved with a
dummy stop that is zero kilometres from every place, and cut there."""

from __future__ import annotations

from itertools import pairwise

from ..geo import distance_matrix_km

Point = tuple[float, float]  # (latitude, longitude)

MAX_2OPT_PASSES = 50  # each pass is O(n²); it converges in a handful for a day's places


def path_length(order: list[int], dist: list[list[float]]) -> float:
    return sum(dist[a][b] for a, b in pairwise(order))


def route_order(points: list[Point], *, start: int | None = None) -> list[int]:
    """Indices of `points` in visiting order. `start` pins the first stop (else the path
    may start anywhere). Deterministic: the same points give the same order."""
    n = len(points)
    if n <= 2:
        return list(range(n))
    base = distance_matrix_km(points)
    # Node n is the dummy stop; pinning a start makes the dummy far from all but it.
    far = 1e6
    dist = [[*row, 0.0 if start is None or i == start else far] for i, row in enumerate(base)]
    dist.append([*(0.0 if start is None or j == start else far for j in range(n)), 0.0])
    tour = _nearest_neighbour(dist, n)
    tour = _two_opt(tour, dist)
    cut = tour.index(n)
    path = tour[cut + 1 :] + tour[:cut]
    if start is not None:
        return path if path[0] == start else path[::-1]
    # Either direction is as long; start at the westmost end so the order is stable.
    if (points[path[-1]][1], points[path[-1]][0]) < (
        points[path[0]][1],
        points[path[0]][0],
    ):
        path.reverse()
    return path


def _nearest_neighbour(dist: list[list[float]], first: int) -> list[int]:
    n = len(dist)
    tour = [first]
    left = set(range(n)) - {first}
    current = first
    while left:
        row = dist[current]
        current = min(left, key=lambda j: (row[j], j))
        left.remove(current)
        tour.append(current)
    return tour


def _two_opt(tour: list[int], dist: list[list[float]]) -> list[int]:
    """Reverse segments while that shortens the closed tour (first improvement)."""
    n = len(tour)
    t = tour[:]
    for _ in range(MAX_2OPT_PASSES):
        improved = False
        for i in range(n - 1):
            a, b = t[i], t[i + 1]
            row_a = dist[a]
            d_ab = row_a[b]
            for j in range(i + 2, n if i > 0 else n - 1):
                c, d = t[j], t[(j + 1) % n]
                delta = row_a[c] + dist[b][d] - d_ab - dist[c][d]
                if delta < -1e-12:
                    t[i + 1 : j + 1] = reversed(t[i + 1 : j + 1])
                    b = t[i + 1]
                    d_ab = row_a[b]
                    improved = True
        if not improved:
            break
    return t
