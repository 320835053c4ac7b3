"""Itinerary speed: route order for one day's places, and planning a trip into days.

    .venv/bin/python bench/itinerary.py [--runs 50] [--seed 7]

Route order (nearest neighbour + 2-opt on great-circle distances) for 100 places, and
planning 100 places into 7 days (balanced geographic clusters, each day in route order),
on places scattered over a city the size of Rome. Prints min, median, p95 and max per
operation over `--runs` different place sets (after 3 warm-up runs).
Targets (issue 11): route order for 100 places < 50 ms; 100 places into 7 days < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable

from travel_agent.itinerary.days import plan_days
from travel_agent.itinerary.route_order import route_order
from travel_agent.models import Place

ROME = (41.8925, 12.4853)


def places(n: int, rng: random.Random) -> list[Place]:
    """`n` places within about 6 km of Rome's centre, in a few denser neighbourhoods."""
    hubs = [(ROME[0] + rng.uniform(-0.04, 0.04), ROME[1] + rng.uniform(-0.05, 0.05))
            for _ in range(6)]  # fmt: skip
    out = []
    for i in range(n):
        lat, lon = hubs[i % len(hubs)] if rng.random() < 0.7 else ROME
        spread = 0.008 if rng.random() < 0.7 else 0.04
        out.append(
            Place(
                id=f"p{i}",
                name=f"Place {i}",
                latitude=lat + rng.gauss(0, spread),
                longitude=lon + rng.gauss(0, spread * 1.3),
            )
        )
    return out


def timed(
    label: str, runs: int, make: Callable[[int], Callable[[], object]], target: float
) -> None:
    for i in range(3):
        make(10_000 + i)()
    ms = []
    for i in range(runs):
        job = make(i)
        started = time.perf_counter()
        job()
        ms.append((time.perf_counter() - started) * 1000)
    ms.sort()
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    verdict = "meets" if p95 < target else "MISSES"
    print(
        f"{label}: min {ms[0]:.1f} / median {statistics.median(ms):.1f} / p95 {p95:.1f} / "
        f"max {ms[-1]:.1f} ms over {runs} runs (target < {target:.0f} ms: {verdict} at p95)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, cpus {os.cpu_count()}")

    def order_job(i: int) -> Callable[[], object]:
        pts = [(p.latitude, p.longitude) for p in places(100, random.Random(args.seed + i))]
        return lambda: route_order(pts)

    def plan_job(i: int) -> Callable[[], object]:
        ps = places(100, random.Random(args.seed + i))
        return lambda: plan_days(ps, 7)

    timed("route order, 100 places", args.runs, order_job, 50)
    timed("plan 100 places into 7 days", args.runs, plan_job, 100)


if __name__ == "__main__":
    main()
