"""What a traveller's sentence names: every city (with the region that qualifies it, and
other cities of the same name), travel regions, and near misses of city names.

The planner reads sentences through these; place search reads queries through
`cities.best_city`. Both share the span finding of `cities.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from .cities import Regions, Span, best_city, city_spans, find_regions, without_qualifiers
from .index import GazetteerIndex
from .names import match_names
from .regions import TRAVEL_REGIONS
from .text import Word, normalize, words_of
from .words import FILLERS

# Another city of the same name counts as a real alternative from this size on.
ALTERNATIVE_POPULATION = 100_000
# ... when also at least this share of the chosen one's size
NOTABLE_SHARE = 0.1
# ... and makes the name ambiguous (ask) when it is at least this share of the chosen one.
AMBIGUOUS_SHARE = 1 / 3
# Near misses are looked for among cities this big (typos of small towns are rare asks).
FUZZY_POPULATION = 50_000
SURE_SCORE = 88.0  # at or above: take the city and say how the word was read
MAYBE_SCORE = 75.0  # at or above: ask "did you mean"
_JOINERS = frozenset({"and", "then", "or", "plus", "also", "via"})


@dataclass(frozen=True, slots=True)
class CityMention:
    city: int
    start: int
    end: int
    written: str  # the words as normalised ("cordoba")
    qualified: bool  # a country or province in the text picked this one
    alternatives: tuple[int, ...]  # other notable cities of that name, biggest first
    ambiguous: bool  # alternatives too big to choose silently


@dataclass(frozen=True, slots=True)
class RegionMention:
    name: str  # as normalised ("tuscany", "greece")
    country: str
    admin1: str
    cities: tuple[int, ...]  # main cities, best known first
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class NearMiss:
    city: int
    score: float
    written: str


class Mentions:
    """Reads sentences against one index (cheap to create; the fuzzy table is built once)."""

    def __init__(self, index: GazetteerIndex) -> None:
        self._index = index
        self._regions: dict[str, tuple[int, ...]] = {}  # travel region -> its cities

    def cities(self, text: str) -> list[CityMention]:
        """Every city the sentence names, in order ("Milan and Turin" -> both)."""
        index = self._index
        words = words_of(text)
        if not words:
            return []
        usable = [True] * len(words)
        content = [i for i, w in enumerate(words) if w.norm not in FILLERS]
        sole = [content == [i] or len(words) == 1 for i in range(len(words))]
        regions = find_regions(index, words, usable)
        spans = city_spans(index, words, usable, sole=sole, qualified=bool(regions.pairs))
        spans = without_qualifiers(spans, regions)
        inside = self._landmark_words(words)
        spans = [
            s
            for s in spans
            if not _inside_travel_region(words, s)
            and not (set(range(s.start, s.end)) <= inside and not _curated(index, s))
        ]
        found: list[CityMention] = []
        for span in spans:
            match = best_city(index, words, [span], regions=regions, whole=len(spans) == 1)
            if match is None:
                continue
            previous = words[span.start - 1].norm if span.start > 0 else ""
            following = words[span.end].norm if span.end < len(words) else ""
            if not (match.strong or previous in _JOINERS or following in _JOINERS):
                continue
            found.append(self._mention(words, span, match.city, regions))
        return found

    def landmark_names(self, text: str) -> list[str]:
        """Names of landmarks a sentence spells out in full ("the Sistine Chapel")."""
        norms = [w.norm for w in words_of(text)]
        return [
            self._index.landmarks[m.landmark].name
            for m in match_names(self._index, norms)
            if m.full
        ]

    def _landmark_words(self, words: list[Word]) -> set[int]:
        """Positions of words that spell out a landmark's whole name ("Trevi Fountain")."""
        norms = [w.norm for w in words]
        names: set[str] = set()
        for m in match_names(self._index, norms):
            if m.full:
                for raw, _stems in self._index.landmarks[m.landmark].variants:
                    if raw <= set(norms):
                        names |= raw
        return {i for i, w in enumerate(norms) if w in names}

    def _mention(self, words: list[Word], span: Span, city: int, regions: Regions) -> CityMention:
        index = self._index
        cities = index.cities
        key = " ".join(w.norm for w in words[span.start : span.end])
        qualified = any(
            cities.country[city] == country and (not admin1 or cities.admin1[city] == admin1)
            for country, admin1 in regions.pairs
        )
        others: list[int] = []
        if not qualified:
            seen = {(cities.country[city], cities.admin1[city])}
            for other in sorted(span.ids, key=lambda i: -cities.population[i]):
                name = normalize(cities.name[other])
                where = (cities.country[other], cities.admin1[other])
                if (
                    other != city
                    and where not in seen
                    and cities.population[other]
                    >= max(ALTERNATIVE_POPULATION, cities.population[city] * NOTABLE_SHARE)
                    and (name == key or name.startswith(key + " "))
                ):
                    seen.add(where)
                    others.append(other)
        ambiguous = not index.has_landmarks(city) and any(
            cities.population[o] >= cities.population[city] * AMBIGUOUS_SHARE for o in others
        )
        return CityMention(city, span.start, span.end, key, qualified, tuple(others), ambiguous)

    def region(self, text: str) -> RegionMention | None:
        """The travel region, country or province a sentence names, if any."""
        index = self._index
        words = words_of(text)
        norm = " ".join(w.norm for w in words)
        padded = f" {norm} "  # a name as whole words: " name " in it (no regex per region)
        for name, (country, names) in TRAVEL_REGIONS.items():
            if f" {name} " in padded:
                ids = self._travel_region_cities(name, country, names)
                start = len(norm[: norm.find(name)].split())
                return RegionMention(name, country, "", ids, start, start + len(name.split()))
        regions = find_regions(index, words, [True] * len(words))
        for span in regions.spans:
            key = " ".join(w.norm for w in words[span.start : span.end])
            region = index.region_of(key)
            if region is None:
                continue
            country, admin1 = region
            ids = tuple(index.cities_in_region(country, admin1))
            return RegionMention(key, country, admin1, ids, span.start, span.end)
        return None

    def _travel_region_cities(
        self, name: str, country: str, names: tuple[str, ...]
    ) -> tuple[int, ...]:
        if name not in self._regions:
            found = (self.city_named(n, country) for n in names)
            self._regions[name] = tuple(c for c in found if c is not None)
        return self._regions[name]

    def city_named(self, name: str, country: str | None = None) -> int | None:
        """The biggest city of that name (in that country): "Portland, Maine" works too."""
        index = self._index
        if country is not None and "," not in name:
            same = [
                i for i in index.cities_named(normalize(name)) if index.cities.country[i] == country
            ]
            if same:
                return max(same, key=lambda i: index.cities.population[i])
        ids = [m.city for m in self.cities(name)]
        if not ids:
            return None
        if country is not None and index.cities.country[ids[0]] != country:
            return None
        return ids[0]

    def near_misses(self, phrase: str, limit: int = 3) -> list[NearMiss]:
        """Cities whose names are a few letters away from `phrase` ("kyotto" -> Kyoto)."""
        key = normalize(phrase)
        if len(key) < 5:
            return []
        # A ratio of at least MAYBE_SCORE needs lengths within this factor of each other,
        # so only names of about the right length are compared.
        share = MAYBE_SCORE / (200 - MAYBE_SCORE)
        names: list[str] = []
        ids: list[int] = []
        table = self._fuzzy_table
        for size in range(int(len(key) * share), int(len(key) / share) + 2):
            bucket = table.get(size)
            if bucket:
                names.extend(bucket[0])
                ids.extend(bucket[1])
        hits = process.extract(
            key, names, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=MAYBE_SCORE
        )
        out: list[NearMiss] = []
        seen: set[int] = set()
        for _name, score, position in hits:
            city = ids[position]
            if city not in seen:
                seen.add(city)
                out.append(NearMiss(city, float(score), key))
        out.sort(key=lambda m: (-m.score, -self._index.cities.population[m.city]))
        return out[:limit]

    @cached_property
    def _fuzzy_table(self) -> dict[int, tuple[list[str], list[int]]]:
        """Names of notable cities by length (built on the first near miss asked for)."""
        index = self._index
        cities = index.cities
        table: dict[int, tuple[list[str], list[int]]] = {}
        for i in range(len(cities)):
            if cities.population[i] >= FUZZY_POPULATION or index.has_landmarks(i):
                for name in {normalize(cities.name[i]), normalize(index.city_label(i))}:
                    names, ids = table.setdefault(len(name), ([], []))
                    names.append(name)
                    ids.append(i)
        return table


def _curated(index: GazetteerIndex, span: Span) -> bool:
    return any(index.has_landmarks(c) for c in span.ids)


def _inside_travel_region(words: list[Word], span: Span) -> bool:
    """ "Amalfi coast", "Lake Como": the city word is part of a region's name."""
    norm = " ".join(w.norm for w in words)
    for name in TRAVEL_REGIONS:
        at = norm.find(name)
        if at < 0:
            continue
        start = len(norm[:at].split())
        if start <= span.start and span.end <= start + len(name.split()):
            return True
    return False
