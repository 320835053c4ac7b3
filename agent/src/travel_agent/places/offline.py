"""The offline places provider: searches the gazetteer shipped with the package.

What it knows (see `places/data/LICENSE-DATA.md` for sources and licences): GeoNames
cities with at least 15,000 people, airports with an IATA code, and hand-written landmark
lists for the most visited cities. It never invents a place: a query it cannot answer
returns no places and a `note` saying so; a city without curated landmarks returns only
the city itself, with a note.

Queries it understands (any case, with or without accents):
- a city: "Kyoto", "são paulo", "NYC", "Paris, Texas";
- kinds of place in a city: "museums in Rome", "old churches in Rome", "food markets
  Barcelona", "parks near Kyoto" (synonyms in `gazetteer/categories.py`);
- a landmark: "Eiffel Tower", "colosseum", "sagrada";
- an airport: "JFK", "Heathrow airport", "airports in London".
With `near=(lat, lon)`, homonymous cities are resolved towards that point and searches
that name no city (a landmark, a category) keep results within 50 km when there are any.

Search is CPU-only and takes well under a millisecond (see bench/places_search.py), so
`search` runs inline rather than in a thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..models import Place
from .base import SearchResult
from .gazetteer.categories import CATEGORIES, match_categories, plural
from .gazetteer.cities import (
    NEAR_RADIUS_KM,
    CityMatch,
    Regions,
    best_city,
    city_spans,
    find_regions,
)
from .gazetteer.geo import distance_km
from .gazetteer.index import GazetteerIndex, load_index
from .gazetteer.mentions import Mentions
from .gazetteer.names import match_names
from .gazetteer.text import Word, normalize, words_of
from .gazetteer.words import FILLERS

NOT_FOUND = "I could not find that place in the offline gazetteer."
MAX_QUERY_WORDS = 40
AIRPORT_WORDS = frozenset(
    ["airport", "airports", "aeroport", "aeropuerto", "aeroporto", "flughafen", "airfield"]
)
# Airports most travellers cannot fly to.
_MINOR = frozenset(
    ["raf", "afb", "base", "heliport", "helipad", "military", "naval", "army", "seaplane"]
)
# Big airports lie far out (Narita is 60 km from central Tokyo).
AIRPORT_RADIUS_KM = 80.0
# Words in airport names that do not identify one ("London Heathrow Airport").
_GENERIC_AIRPORT_WORDS = AIRPORT_WORDS | frozenset(
    ["international", "regional", "municipal", "national", "field", "air", "county", "city"]
)


@dataclass(frozen=True, slots=True)
class City:
    """A city the gazetteer knows, as returned by `OfflineGazetteer.find_city`.

    `name` is how the city is usually called ("Bali" for the Denpasar area, "New York");
    `country` is an ISO 3166 alpha-2 code; `has_landmarks` says whether curated
    landmarks exist, i.e. whether a search for it returns more than the city itself.
    """

    geonameid: int
    name: str
    country: str
    country_name: str
    latitude: float
    longitude: float
    population: int
    has_landmarks: bool
    region: str = ""  # "Costa Rica", "Maine, United States": tells homonyms apart

    @property
    def lat(self) -> float:
        return self.latitude

    @property
    def lon(self) -> float:
        return self.longitude


@dataclass(frozen=True, slots=True)
class CityMentioned:
    """A city a sentence names, for the planner: `alternatives` are other notable cities of
    that name (`ambiguous` when one is too big to pick silently); `qualified` when a
    country or province in the sentence chose it."""

    city: City
    written: str
    at: int  # word position in the sentence
    qualified: bool
    alternatives: tuple[City, ...]
    ambiguous: bool


@dataclass(frozen=True, slots=True)
class RegionNamed:
    """A country, province or travel region a sentence names, with its main cities."""

    name: str
    label: str  # "Greece", "Tuscany"
    cities: tuple[City, ...]


@dataclass(slots=True)
class _Query:
    """A query split into what each word was used for."""

    words: list[Word]
    categories: list[str]
    category_positions: set[int]
    generic: bool
    unsupported: list[str]
    airport: bool
    city: CityMatch | None
    regions: Regions
    leftover: list[str]  # content words nothing explained


class OfflineGazetteer:
    """`PlacesProvider` over the shipped gazetteer index; needs no network or keys."""

    name = "offline"

    def __init__(self, index: GazetteerIndex | None = None) -> None:
        self._index = index if index is not None else load_index()
        self._mentions = Mentions(self._index)

    async def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult:
        return self.search_sync(query, near=near, limit=limit)

    async def aclose(self) -> None:
        """Nothing to release: the index is shared, read-only memory."""

    # ----------------------------------------------------------------- planner helpers

    def find_city(self, text: str) -> City | None:
        """The known city a free-text sentence is about, or None.

        "Plan a 3-day trip to Rome, I like museums" -> Rome; "KYOTO", "são paulo",
        "new york", "NYC" and alternate names ("Bombay", "Firenze") work; "Paris, Texas"
        picks the Texan one. When several cities are mentioned or a name is shared, a name
        written like one (capitalised, or after "to"/"in") wins, then a city with curated
        landmarks, then the first mentioned, then the most populous. Ordinary words that
        are also town names ("nice", "split") count only when capitalised mid-sentence or
        when they are the whole text. A country alone ("Italy") is not a city: None.
        """
        words = words_of(text)
        if not words:
            return None
        usable = [True] * len(words)
        content = [i for i, w in enumerate(words) if w.norm not in FILLERS]
        sole = [content == [i] or len(words) == 1 for i in range(len(words))]
        regions = find_regions(self._index, words, usable)
        spans = city_spans(self._index, words, usable, sole=sole, qualified=bool(regions.pairs))
        match = best_city(self._index, words, spans, regions=regions)
        return self._city(match.city) if match else None

    def cities_in(self, text: str) -> list[CityMentioned]:
        """Every city a sentence names, in order, each with its homonyms ("Milan and Turin",
        "Córdoba, Spain", "Santiago")."""
        return [
            CityMentioned(
                self._city(m.city),
                m.written,
                m.start,
                m.qualified,
                tuple(self._city(a) for a in m.alternatives),
                m.ambiguous,
            )
            for m in self._mentions.cities(text)
        ]

    def region_in(self, text: str) -> RegionNamed | None:
        """The country, province or travel region a sentence names ("Greece", "Tuscany")."""
        found = self._mentions.region(text)
        if found is None:
            return None
        if found.admin1 or found.name not in self._index.region_keys:
            label = found.name.removeprefix("the ").title()
        else:
            label = self._index.country_name(found.country)
        return RegionNamed(found.name, label, tuple(self._city(c) for c in found.cities))

    def landmark_names(self, text: str) -> list[str]:
        """Landmarks a sentence names in full ("Add the Sistine Chapel ..."), so that the
        words of a name ("chapel", "park") are not read as a kind of place."""
        return self._mentions.landmark_names(text)

    def near_misses(self, phrase: str) -> list[tuple[City, float]]:
        """Cities whose names are a few letters from `phrase`, closest first, with a score
        out of 100 ("kyotto" -> Kyoto); empty when nothing is close."""
        return [(self._city(m.city), m.score) for m in self._mentions.near_misses(phrase)]

    def categories_in(self, text: str) -> list[str]:
        """Gazetteer categories for the interests named in a sentence, in order of mention.

        "I like museums, old churches and street food" -> ["museum", "church", "market"];
        "art" gives museum and gallery, "history" monument, palace and castle (see
        `gazetteer/categories.py`). Words that are part of a city name ("Miami Beach",
        "Long Beach") are not read as interests. Possible values: `CATEGORIES`.
        """
        words = words_of(text)
        inside_city: set[int] = set()
        for span in city_spans(self._index, words, [True] * len(words), min_size=2):
            inside_city.update(range(span.start, span.end))
        norms = ["" if i in inside_city else w.norm for i, w in enumerate(words)]
        return match_categories(norms).interests

    @staticmethod
    def categories() -> tuple[str, ...]:
        return CATEGORIES

    # ----------------------------------------------------------------- search

    def search_sync(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult:
        """`search` without the coroutine (the benchmark and the planner call this)."""
        q = self._parse(query, near)
        places, note = self._answer(q, near)
        unique: dict[str, Place] = {}
        for place in places:
            unique.setdefault(place.id, place)
        return SearchResult(query=query, places=list(unique.values())[: max(limit, 0)], note=note)

    def _parse(self, query: str, near: tuple[float, float] | None) -> _Query:
        index = self._index
        # A place search is a few words; a pasted essay is cut rather than scanned.
        words = words_of(query)[:MAX_QUERY_WORDS]
        n = len(words)
        everything = [True] * n
        # Multi-word city names first, so "Long Beach" or "Mexico City" are not read as a
        # category and a filler.
        protected: set[int] = set()
        for span in city_spans(index, words, everything, min_size=2):
            protected.update(range(span.start, span.end))
        cats = match_categories(["" if i in protected else w.norm for i, w in enumerate(words)])
        airport_at = {i for i, w in enumerate(words) if w.norm in AIRPORT_WORDS}
        used = cats.positions | airport_at
        usable = [i not in used for i in range(n)]
        content = [i for i in range(n) if usable[i] and words[i].norm not in FILLERS]
        # A word is "sole" when every other usable word is a filler ("beaches in nice").
        sole = [usable[i] and not [j for j in content if j != i] for i in range(n)]
        regions = find_regions(index, words, usable)
        spans = city_spans(index, words, usable, sole=sole, qualified=bool(regions.pairs))
        city = best_city(index, words, spans, regions=regions, near=near, whole=True)
        explained = set(used)
        if city is not None:
            explained.update(range(city.start, city.end))
        for span in regions.spans:
            explained.update(range(span.start, span.end))
        leftover = [words[i].norm for i in content if i not in explained]
        return _Query(
            words=words,
            categories=cats.for_search,
            category_positions=cats.positions,
            generic=cats.generic,
            unsupported=cats.unsupported,
            airport=bool(airport_at),
            city=city,
            regions=regions,
            leftover=leftover,
        )

    def _answer(
        self, q: _Query, near: tuple[float, float] | None
    ) -> tuple[list[Place], str | None]:
        index = self._index
        if not q.words:
            return [], NOT_FOUND

        code = self._airport_code(q)
        if code is not None and (q.airport or q.words[0].upper):
            return [self._airport_place(code)], None
        if q.airport:
            found = self._airports(q, near)
            return (found, None) if found else ([], NOT_FOUND)

        curated = q.city is not None and index.has_landmarks(q.city.city)
        named, after_city = self._named_landmarks(q, near, curated)
        if named:
            places = [self._landmark_place(i) for i in named]
            if after_city and q.city is not None:
                places.append(self._city_place(q.city.city))
            return places, None

        if q.unsupported and not q.categories:
            kinds = ", ".join(q.unsupported)
            return [], (
                f"The offline gazetteer lists cities, airports and landmarks, not {kinds}; "
                "it cannot suggest any."
            )

        if q.city is not None:
            return self._in_city(q, near, curated)

        if q.regions.pairs and not q.leftover:
            return [], self._name_a_city_note(q.regions)

        if near is not None and not q.leftover:
            return self._around(q, near)

        if (q.categories or q.generic) and not q.leftover:
            example = f"{plural(q.categories[0])} in Rome" if q.categories else "Rome"
            return [], f'Name a city to search the offline gazetteer, for example "{example}".'

        if code is not None:
            return [self._airport_place(code)], None
        by_name = self._airports_named(q.leftover)
        if by_name:
            return [self._airport_place(i) for i in by_name], None
        return [], NOT_FOUND

    # ----------------------------------------------------------------- landmarks

    def _named_landmarks(
        self, q: _Query, near: tuple[float, float] | None, curated: bool
    ) -> tuple[list[int], bool]:
        """Landmarks the query names, in this order of trust: a landmark of the named city;
        a landmark whose whole name is in the query ("Golden Gate Bridge", even though
        "Golden Gate" is also a town); a partial name near an uncurated city ("Giza": the
        flag returned is then True, as the city itself belongs in the answer too); a
        partial name anywhere ("eiffel")."""
        index = self._index
        query_words = [w.norm for w in q.words]
        # Filler, category and city words may complete a name ("British Museum", "Tower
        # of London") but cannot identify a landmark alone ("food" is not Maxwell Food
        # Centre, "Paris" in "Paris, Texas" is not Notre-Dame de Paris).
        weak = set(FILLERS) | {query_words[i] for i in q.category_positions}
        city_words: set[str] = set()
        if q.city is not None:
            city_words = set(query_words[q.city.start : q.city.end])
            if curated:
                found = match_names(
                    index,
                    query_words,
                    weak_words=weak | city_words,
                    within=index.landmarks_by_city[q.city.city],
                )
                if found:
                    return [m.landmark for m in found], False
        found = match_names(index, query_words, weak_words=weak | city_words)
        if found and found[0].full:
            ids = [m.landmark for m in found]
            if near is not None and not curated:
                ids = self._prefer_near(ids, near)
            return ids, False
        if q.city is not None:
            if curated:
                return [], False
            city = q.city.city
            around = self._landmarks_near(
                (index.cities.latitude[city], index.cities.longitude[city])
            )
            partial = match_names(index, query_words, weak_words=weak, within=around)
            return [m.landmark for m in partial], True
        ids = [m.landmark for m in found]
        return (self._prefer_near(ids, near) if near is not None else ids), False

    def _landmarks_near(self, point: tuple[float, float]) -> list[int]:
        """Landmarks within NEAR_RADIUS_KM of a point, nearest first."""
        return [i for _, i in self._index.landmark_points.within(point, NEAR_RADIUS_KM)]

    def _in_city(
        self, q: _Query, near: tuple[float, float] | None, curated: bool
    ) -> tuple[list[Place], str | None]:
        index = self._index
        assert q.city is not None
        city = q.city.city
        label = self._where(city)
        if not curated:
            if q.leftover:
                # "Mont Saint-Michel" is not a question about Mons: unexplained words next to
                # a city without landmarks mean the query is about something else.
                return [], NOT_FOUND
            kinds = self._kinds(q.categories) if q.categories else "landmarks"
            return [self._city_place(city)], (
                "Only the city itself is known offline: the offline gazetteer has no curated "
                f"{kinds} for {label}."
            )
        ids = index.landmarks_by_city[city]
        if q.categories:
            wanted = set(q.categories)
            ids = [i for i in ids if wanted.intersection(index.landmarks[i].categories)]
            if not ids:
                known = sorted(
                    {index.landmarks[i].categories[0] for i in index.landmarks_by_city[city]}
                )
                return [], (
                    f"The offline gazetteer lists no {self._kinds(q.categories)} in {label}; "
                    f"it knows these kinds of place there: {', '.join(known)}."
                )
        if near is not None:
            ids = sorted(ids, key=lambda i: self._distance(i, near))
        note = None
        if q.leftover:
            note = (
                f"Showing landmarks in {label}; the offline gazetteer could not use: "
                f"{' '.join(q.leftover)}."
            )
        return [self._landmark_place(i) for i in ids], note

    def _around(self, q: _Query, near: tuple[float, float]) -> tuple[list[Place], str | None]:
        index = self._index
        wanted = set(q.categories)
        ids = [
            i
            for i in self._landmarks_near(near)
            if not wanted or wanted.intersection(index.landmarks[i].categories)
        ]
        if ids:
            return [self._landmark_place(i) for i in ids], None
        if q.categories:
            return [], (
                f"The offline gazetteer lists no {self._kinds(q.categories)} within "
                f"{NEAR_RADIUS_KM:.0f} km of that point."
            )
        nearest = index.city_points.nearest(near, NEAR_RADIUS_KM)
        if nearest is None:
            return [], NOT_FOUND
        return [self._city_place(nearest)], (
            "Only the city itself is known offline: the offline gazetteer has no curated "
            f"landmarks near {self._where(nearest)}."
        )

    def _prefer_near(self, ids: Sequence[int], near: tuple[float, float]) -> list[int]:
        """Those of `ids` within NEAR_RADIUS_KM, nearest first; all of them if none is."""
        wanted = set(ids)
        close = [i for i in self._landmarks_near(near) if i in wanted]
        return close or list(ids)

    def _distance(self, landmark: int, near: tuple[float, float]) -> float:
        lm = self._index.landmarks[landmark]
        return distance_km(near[0], near[1], lm.latitude, lm.longitude)

    # ----------------------------------------------------------------- airports

    def _airport_code(self, q: _Query) -> int | None:
        content = [w.norm for w in q.words if w.norm not in AIRPORT_WORDS and w.norm not in FILLERS]
        if len(content) == 1 and len(content[0]) == 3:
            return self._index.airport_by_iata.get(content[0])
        return None

    def _airports(self, q: _Query, near: tuple[float, float] | None) -> list[Place]:
        """Airports for a query with the word "airport": by name ("Heathrow airport"), or
        serving the named city ("airports in London"), or around `near`."""
        index = self._index
        named = self._airports_named(
            [w.norm for w in q.words if w.norm not in FILLERS and w.norm not in AIRPORT_WORDS]
        )
        if q.city is None:
            if named or near is None:
                return [self._airport_place(i) for i in named]
            return [self._airport_place(i) for i in self._airports_around(near, set())]
        city = q.city.city
        city_words = {w.norm for w in q.words[q.city.start : q.city.end]}
        around = self._airports_around(
            (index.cities.latitude[city], index.cities.longitude[city]), city_words
        )
        city_names = {normalize(index.cities.name[city]), normalize(index.city_label(city))}
        serving = [
            i
            for i in around
            if normalize(index.airports[i].city) in city_names
            or city_words <= set(index.airports[i].name_tokens)
        ]
        if not serving and named:
            # "Kennedy airport": Kennedy is also a district of Bogotá, but no airport
            # there is called Kennedy; the name wins.
            return [self._airport_place(i) for i in named]
        position = {airport: n for n, airport in enumerate(around)}
        minor = {i for i in around if self._airport_rank(i, city_words)[0]}
        serving_set = set(serving)
        ordered = sorted(around, key=lambda i: (i in minor, i not in serving_set, position[i]))
        return [self._airport_place(i) for i in ordered]

    def _airports_around(self, point: tuple[float, float], city_words: set[str]) -> list[int]:
        close = self._index.airport_points.within(point, AIRPORT_RADIUS_KM)
        close.sort(key=lambda pair: (*self._airport_rank(pair[1], city_words), pair[0]))
        return [i for _, i in close]

    def _airport_rank(self, airport: int, city_words: set[str]) -> tuple[bool, bool, bool, bool]:
        """airportsdata has no traffic figures: civil airports of a metropolitan area (IATA
        city codes such as LON) come first, then those named "international" or after the
        city."""
        a = self._index.airports[airport]
        return (
            bool(_MINOR.intersection(a.name_tokens)),
            not a.metro,
            "international" not in a.name_tokens,
            not city_words.intersection(a.name_tokens),
        )

    def _airports_named(self, words: Sequence[str]) -> list[int]:
        tokens = [w for w in words if w not in _GENERIC_AIRPORT_WORDS]
        if not tokens:
            return []
        found: set[int] | None = None
        for token in tokens:
            ids = set(self._index.airport_tokens.get(token, ()))
            found = ids if found is None else found & ids
            if not found:
                return []
        airports = self._index.airports
        return sorted(found or (), key=lambda i: (*self._airport_rank(i, set()), airports[i].iata))

    # ----------------------------------------------------------------- building results

    def _city(self, city: int) -> City:
        index = self._index
        record = index.cities[city]
        return City(
            geonameid=record.geonameid,
            name=index.city_label(city),
            country=record.country,
            country_name=index.country_name(record.country),
            latitude=record.latitude,
            longitude=record.longitude,
            population=record.population,
            has_landmarks=index.has_landmarks(city),
            region=index.city_region(city),
        )

    def _where(self, city: int) -> str:
        return f"{self._index.city_label(city)}, {self._index.city_region(city)}"

    @staticmethod
    def _kinds(categories: Sequence[str]) -> str:
        names = [plural(c) for c in categories]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]

    def _name_a_city_note(self, regions: Regions) -> str:
        index = self._index
        examples: list[int] = []
        for country, admin1 in sorted(regions.pairs):
            examples.extend(index.example_cities(country, admin1))
        names = ", ".join(dict.fromkeys(index.city_label(c) for c in examples[:3]))
        where = ", ".join(
            sorted(
                index.us_state_names.get(admin1, admin1) if admin1 else index.country_name(country)
                for country, admin1 in regions.pairs
            )
        )
        hint = f" In {where} it knows, for example, {names}." if names else ""
        return f"Name a city: the offline gazetteer searches cities, landmarks and airports.{hint}"

    def _city_place(self, city: int) -> Place:
        index = self._index
        record = index.cities[city]
        country = index.country_name(record.country)
        return _gazetteer_place(
            record,
            id=f"gaz-city-{record.geonameid}",
            name=index.city_label(city),
            address=index.city_region(city),
            description=f"City in {country}, population {record.population:,} (GeoNames).",
        )

    def _landmark_place(self, landmark: int) -> Place:
        lm = self._index.landmarks[landmark]
        kind = lm.categories[0].capitalize()
        return _gazetteer_place(
            lm, id=lm.id, name=lm.name, address=lm.address, description=f"{kind} · {lm.description}"
        )

    def _airport_place(self, airport: int) -> Place:
        index = self._index
        a = index.airports[airport]
        where = ", ".join(p for p in (a.city, a.region, index.country_name(a.country)) if p)
        codes = f"IATA {a.iata}" + (f", ICAO {a.icao}" if a.icao else "")
        return _gazetteer_place(
            a,
            id=f"gaz-airport-{a.iata.lower()}",
            name=f"{a.name} ({a.iata})",
            address=where,
            description=f"Airport ({codes}).",
        )


class _Located(Protocol):
    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...


def _gazetteer_place(at: _Located, *, id: str, name: str, address: str, description: str) -> Place:
    """A place from a gazetteer record: where it is, and no rating (the gazetteer has none)."""
    return Place(
        id=id,
        name=name,
        address=address,
        latitude=at.latitude,
        longitude=at.longitude,
        rating=None,
        description=description,
    )
