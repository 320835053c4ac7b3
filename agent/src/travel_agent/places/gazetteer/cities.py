"""Finding which city (and country or US state) a piece of text names.

Spans of words are looked up in the index's name table; overlapping spans keep the longest
("new york" beats "york"), and the remaining candidates are ranked: a name that is written
like a name (capitalised, or right after "to"/"in") beats a stray word, a city with
curated landmarks beats one without, then the first mentioned, and the most populous of
cities sharing a name wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .geo import distance_km
from .index import GazetteerIndex
from .text import Word
from .words import COMMON_WORDS, CUES, LEGENDARY_PLACES

NEAR_RADIUS_KM = 50.0


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int  # exclusive
    ids: tuple[int, ...]

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end and self != other

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class CityMatch:
    city: int
    start: int
    end: int
    strong: bool  # written like a name, or the whole query


@dataclass(frozen=True, slots=True)
class Regions:
    """Countries and US states named in the text, as (country, admin1 or "") pairs."""

    spans: tuple[Span, ...]
    pairs: frozenset[tuple[str, str]]


def find_regions(index: GazetteerIndex, words: Sequence[Word], usable: Sequence[bool]) -> Regions:
    spans: list[Span] = []
    pairs: set[tuple[str, str]] = set()
    for start in range(len(words)):
        for size in range(min(4, len(words) - start), 0, -1):
            if not all(usable[start : start + size]):
                continue
            key = " ".join(w.norm for w in words[start : start + size])
            region = index.region_of(key)
            if region is not None and key not in COMMON_WORDS:
                spans.append(Span(start, start + size, ()))
                pairs.add((region[0], region[1]))
                break
    return Regions(tuple(spans), frozenset(pairs))


def city_spans(
    index: GazetteerIndex,
    words: Sequence[Word],
    usable: Sequence[bool],
    *,
    min_size: int = 1,
    sole: Sequence[bool] | None = None,
    qualified: bool = False,
) -> list[Span]:
    """Every run of usable words that names a city, minus runs inside longer ones.

    `sole[i]` marks a word that is the only meaningful word left in a query; a common word
    ("nice", "split") is only read as a city when it is sole or written capitalised and
    not first in the sentence. Legendary names ("Atlantis") need `qualified` (a country or
    state named too).
    """
    found: list[Span] = []
    for start in range(len(words)):
        if not usable[start]:
            continue
        key = words[start].norm
        end = start + 1
        while True:
            if end - start >= min_size and (qualified or key not in LEGENDARY_PLACES):
                ids = _lookup(index, words, start, key, sole)
                if ids:
                    found.append(Span(start, end, ids))
            # Extend while some city name continues with these words ("new" -> "new york").
            if end >= len(words) or not usable[end] or not index.city_name_continues(key):
                break
            key = f"{key} {words[end].norm}"
            end += 1
    return [s for s in found if not any(o.contains(s) for o in found)]


def _lookup(
    index: GazetteerIndex,
    words: Sequence[Word],
    start: int,
    key: str,
    sole: Sequence[bool] | None,
) -> tuple[int, ...]:
    ids = index.cities_named(key)
    if " " in key:
        return ids
    word = words[start]
    if word.upper and not ids:
        ids = index.cities_coded(key)
    if ids and key in COMMON_WORDS:
        alone = sole is not None and sole[start]
        if not (alone or (word.capitalised and start > 0)):
            return ()
    return ids


def _region_ok(index: GazetteerIndex, city: int, regions: Regions) -> bool:
    cities = index.cities
    return any(
        cities.country[city] == country and (not admin1 or cities.admin1[city] == admin1)
        for country, admin1 in regions.pairs
    )


def _near(index: GazetteerIndex, city: int, near: tuple[float, float] | None) -> bool:
    if near is None:
        return False
    cities = index.cities
    return distance_km(near[0], near[1], cities.latitude[city], cities.longitude[city]) <= (
        NEAR_RADIUS_KM
    )


def without_qualifiers(spans: Sequence[Span], regions: Regions) -> list[Span]:
    """Drops city readings of a region that qualifies an earlier city: in "San José, Costa
    Rica" or "Melbourne, Victoria" the second name is the region, not a town called so."""
    first_end = min((s.end for s in spans), default=0)
    return [
        s for s in spans if not (s.start >= first_end and any(r.overlaps(s) for r in regions.spans))
    ]


def best_city(
    index: GazetteerIndex,
    words: Sequence[Word],
    spans: Sequence[Span],
    *,
    regions: Regions,
    near: tuple[float, float] | None = None,
    whole: bool = False,
) -> CityMatch | None:
    """Picks one city from candidate spans (see the module docstring for the order)."""
    spans = without_qualifiers(spans, regions)
    region_spans = [r for r in regions.spans if not any(r.overlaps(s) for s in spans)]
    active = Regions(tuple(region_spans), regions.pairs if region_spans else frozenset())
    best: tuple[tuple[bool, bool, bool, bool, int, int, int], CityMatch] | None = None
    for span in spans:
        previous = words[span.start - 1].norm if span.start > 0 else ""
        strong = (
            whole
            or words[span.start].capitalised
            or previous in CUES
            or (len(spans) == 1 and span.end - span.start > 1)
        )
        for city in span.ids:
            rank = (
                strong,
                _near(index, city, near),
                bool(active.pairs) and _region_ok(index, city, active),
                index.has_landmarks(city),
                -span.start,  # the first city mentioned
                index.cities.population[city],
                span.end - span.start,
            )
            if best is None or rank > best[0]:
                best = (rank, CityMatch(city, span.start, span.end, strong))
    return best[1] if best else None
