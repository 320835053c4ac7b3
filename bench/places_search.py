"""Offline place search: per-query latency, index load time and memory.

    .venv/bin/python bench/places_search.py [--queries 3000] [--seed 7]

Loads the shipped gazetteer index in this fresh process (time and resident memory before
and after), then runs a deterministic mix of queries of every kind the provider answers
(cities in any case and with or without accents, categories in a city, landmark names,
airports, uncurated cities, unknown words, searches near a point) and prints mean, p50,
p95, p99 and max latency overall and per kind, plus `find_city` on whole sentences.
Target (issue 2): under 2 ms per query.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

from travel_agent.places.gazetteer.index import load_index
from travel_agent.places.offline import OfflineGazetteer

CATEGORY_WORDS = [
    "museums", "old churches", "parks", "food markets", "temples", "views", "art",
    "history", "beaches", "gardens", "palaces", "things to do", "zoos", "shopping",
]  # fmt: skip
TEMPLATES = ["{c} in {city}", "{city} {c}", "best {c} near {city}", "{c} {city}"]
UNCURATED = ["Lyon", "Porto", "Seville", "Krakow", "Nice", "Munich", "Hanoi", "Lima", "Oslo"]
UNKNOWN = ["Atlantis", "xyzzy", "qwertyuiop", "museums in Atlantis", "hotels in Rome", "Italy"]
SENTENCES = [
    "Plan a 3-day trip to Rome, I like museums and old churches",
    "I want to visit KYOTO in spring, temples and gardens please",
    "plan a weekend in são paulo with food and art",
    "Take me to Nice in June",
    "Plan a family trip to Orlando",
    "Plan a trip to Atlantis",
]


def rss_mib() -> float:
    """Current resident set size (Linux /proc), else the peak from getrusage."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def vary(text: str, rng: random.Random) -> str:
    """The same query as people type it: any case, accents or not."""
    choice = rng.randrange(4)
    if choice == 0:
        return text.lower()
    if choice == 1:
        return text.upper()
    if choice == 2:
        return strip_accents(text)
    return text


def make_queries(
    gaz: OfflineGazetteer, count: int, seed: int
) -> list[tuple[str, str, tuple[float, float] | None]]:
    """(kind, query, near) triples, deterministic for a seed."""
    index = load_index()
    rng = random.Random(seed)
    curated = [index.city_label(c) for c in index.landmarks_by_city]
    landmarks = [lm.name for lm in index.landmarks]
    iatas = [a.iata for a in index.airports]
    queries: list[tuple[str, str, tuple[float, float] | None]] = []
    while len(queries) < count:
        kind = rng.choice(
            ["city", "category", "landmark", "airport", "uncurated", "unknown", "near"]
        )
        if kind == "city":
            queries.append((kind, vary(rng.choice(curated), rng), None))
        elif kind == "category":
            template = rng.choice(TEMPLATES)
            query = template.format(c=rng.choice(CATEGORY_WORDS), city=rng.choice(curated))
            queries.append((kind, vary(query, rng), None))
        elif kind == "landmark":
            queries.append((kind, vary(rng.choice(landmarks), rng), None))
        elif kind == "airport":
            code = rng.choice(iatas)
            queries.append((kind, rng.choice([code, f"{code} airport"]), None))
        elif kind == "uncurated":
            queries.append((kind, vary(rng.choice(UNCURATED), rng), None))
        elif kind == "unknown":
            queries.append((kind, rng.choice(UNKNOWN), None))
        else:
            lm = index.landmarks[rng.randrange(len(index.landmarks))]
            queries.append((kind, rng.choice(CATEGORY_WORDS), (lm.latitude, lm.longitude)))
    return queries


def summary(samples_ms: list[float]) -> str:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return (
        f"n={len(samples_ms):5d}  mean={statistics.fmean(samples_ms):.3f}  "
        f"p50={cuts[49]:.3f}  p95={cuts[94]:.3f}  p99={cuts[98]:.3f}  "
        f"max={max(samples_ms):.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    gc.collect()
    before = rss_mib()
    started = time.perf_counter()
    index = load_index()
    load_s = time.perf_counter() - started
    gc.collect()
    after = rss_mib()
    gaz = OfflineGazetteer(index)
    print("Offline place search (travel_agent.places.offline.OfflineGazetteer)")
    print(
        f"index: {len(index.cities)} cities, {len(index.airports)} airports, "
        f"{len(index.landmarks)} landmarks in {len(index.landmarks_by_city)} cities"
    )
    print(f"index load: {load_s * 1000:.0f} ms; RSS {before:.1f} -> {after:.1f} MiB "
          f"(+{after - before:.1f} MiB)")  # fmt: skip

    queries = make_queries(gaz, args.queries, args.seed)
    for _, query, near in queries[:200]:  # warm-up
        gaz.search_sync(query, near=near)
    by_kind: dict[str, list[float]] = defaultdict(list)
    every: list[float] = []
    for kind, query, near in queries:
        t0 = time.perf_counter_ns()
        gaz.search_sync(query, near=near)
        elapsed = (time.perf_counter_ns() - t0) / 1e6
        by_kind[kind].append(elapsed)
        every.append(elapsed)
    print(f"search, all kinds : {summary(every)}")
    for kind in sorted(by_kind):
        print(f"  {kind:<16}: {summary(by_kind[kind])}")

    sentence_times: list[float] = []
    for _ in range(200):
        for sentence in SENTENCES:
            t0 = time.perf_counter_ns()
            gaz.find_city(sentence)
            gaz.categories_in(sentence)
            sentence_times.append((time.perf_counter_ns() - t0) / 1e6)
    print(f"find_city+categories_in on sentences: {summary(sentence_times)}")
    verdict = "meets" if statistics.quantiles(every, n=100)[94] < 2.0 else "MISSES"
    print(f"target p95 < 2 ms per query: {verdict}; RSS after the run {rss_mib():.1f} MiB")


if __name__ == "__main__":
    main()
