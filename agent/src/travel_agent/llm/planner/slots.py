"""The slots of a request: which trips, places, cities, regions, kinds of place, how many,
how many days, which day and which date it names."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from rapidfuzz import fuzz

from ...models import Place, Trip
from ...places.gazetteer.categories import UNSUPPORTED, match_categories, plural
from ...places.gazetteer.geo import distance_km
from ...places.gazetteer.index import is_distinctive as is_distinctive_word
from ...places.gazetteer.text import normalize
from .dates import find_date
from .numbers import count_before, day_count, day_number

PREFIX = r"^((go|travel|fly|head|get|going|to|see|visit|explore)\s+)+"
NOTABLE = 100_000  # people: a town smaller than this needs to be written like a name
SURE_SCORE = 88.0  # a near miss this close is read as that city (and said so)
# A city named in a sentence is "the city of a trip" when the trip's centre is this close.
SAME_CITY_KM = 40.0
PLACE_MATCH = 85.0  # rapidfuzz score for "the place you mean" in a trip
_TRIP_STOPWORDS = frozenset(
    {"the", "my", "a", "an", "trip", "trips", "to", "in", "of", "this", "that", "please"}
    | {"for", "and", "with", "plans", "plan", "holiday", "vacation", "days", "day", "week"}
)
# Kinds of place people ask for by phrase; a phrase maps to search phrases (what the
# places provider is asked for), never to a made-up category.
_EAT = re.compile(
    r"\b(places? to eat|somewhere to eat|where to eat|eat out|eating out|dining|dinner|lunch|"
    r"restaurants?|brunch|breakfast)\b"
)


class Finder(Protocol):
    """What the planner needs from the gazetteer (`places.offline.OfflineGazetteer`)."""

    def cities_in(self, text: str) -> list[Any]: ...

    def region_in(self, text: str) -> Any: ...

    def near_misses(self, phrase: str) -> list[tuple[Any, float]]: ...

    def landmark_names(self, text: str) -> list[str]: ...


@dataclass(frozen=True)
class Kinds:
    """Kinds of place asked for, as search phrases ("museums", "cafés")."""

    phrases: tuple[str, ...] = ()
    generic: bool = False
    # phrase -> the gazetteer category or the words of a kind it does not hold
    words: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def words_for(self, phrase: str) -> tuple[str, ...]:
        return next((w for p, w in self.words if p == phrase), ())

    @property
    def any(self) -> bool:
        return bool(self.phrases)


@dataclass
class Slots:
    norm: str
    trips: list[Trip] = field(default_factory=list)  # trips named, best first
    places: list[tuple[Trip, Place]] = field(default_factory=list)  # places of trips named
    cities: list[Any] = field(default_factory=list)  # CityMentioned, distinct cities
    new_cities: list[Any] = field(default_factory=list)  # those no trip is about
    region: Any = None
    kinds: Kinds = field(default_factory=Kinds)
    count: int | None = None
    days: int | None = None
    day: int | None = None
    start_date: dt.date | None = None
    clears_date: bool = False
    destination: str | None = None  # the words after "to"/"in"/"visit" when no city matched
    corrected: str | None = None  # a typo read as a city ("kyotto" -> Kyoto)
    suggestions: list[Any] = field(default_factory=list)  # "did you mean" cities
    anchor: str | None = None  # "near the Trevi Fountain"
    name: str | None = None  # the new name of a rename

    def summary(self) -> dict[str, Any]:
        """The slots as plain data (what the phrasing tests compare)."""
        out: dict[str, Any] = {}
        if self.trips:
            out["trip"] = self.trips[0].id
        if self.places:
            out["places"] = [p.name for _, p in self.places]
        if self.cities:
            out["cities"] = [_label(c.city) for c in self.cities]
        if self.region is not None:
            out["region"] = self.region.label
        if self.kinds.phrases:
            out["kinds"] = list(self.kinds.phrases)
        for key in ("count", "days", "day", "destination", "anchor", "name", "corrected"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.start_date is not None:
            out["start_date"] = self.start_date.isoformat()
        return out


def _label(city: Any) -> str:
    return f"{city.name}, {city.region}"


def read_slots(text: str, trips: list[Trip], finder: Finder, today: dt.date) -> Slots:
    norm = normalize(text)
    slots = Slots(norm=norm)
    content = [w for w in norm.split() if w not in NOT_CITIES and w not in _TRIP_STOPWORDS]
    mentioned = [
        m
        for m in _distinct(finder.cities_in(text))
        if m.written not in NOT_CITIES
        # A small town at the start of a longer sentence is a capitalised word ("Tell").
        and not (
            m.at == 0
            and " " not in m.written
            and len(content) > 1
            and m.city.population < NOTABLE
            and not m.city.has_landmarks
            and not m.qualified
        )
    ]
    region = finder.region_in(text)
    if region is not None:
        # "Tuscany" is the region, not Tuscany in Calgary; a known big city stays a city.
        region_words = set(region.name.split())
        mentioned = [
            m
            for m in mentioned
            if not (
                (m.written == region.name and normalize(m.city.name) != m.written)
                or (
                    set(m.written.split()) <= region_words
                    and not m.city.has_landmarks
                    and not m.qualified
                )
            )
        ]
    # "Pantheon" is the place in the Rome trip, not the Paris district of that name.
    in_trips = places_named(norm, trips)
    place_names = {normalize(p.name) for _, p in in_trips}
    mentioned = [m for m in mentioned if m.written not in place_names]
    slots.cities = mentioned
    slots.trips = trips_named(norm, trips, mentioned)
    slots.new_cities = [m for m in mentioned if not any(_about(t, m.city) for t in trips)]
    named_ids = {t.id for t in slots.trips}
    slots.places = [(t, p) for t, p in in_trips if t.id in named_ids] or in_trips
    # Words of a place's name are not a kind of place: "Central Park", "Sistine Chapel".
    named = [p.name for _, p in slots.places] + finder.landmark_names(text)
    slots.kinds = kinds_in(_without(norm, named))
    slots.days = day_count(norm)
    slots.day = day_number(norm)
    slots.start_date = find_date(text.lower(), today) or find_date(norm, today)
    slots.clears_date = bool(re.search(r"\b(clear|remove|drop|no|forget)\b.*\bstart date\b", norm))
    if slots.kinds.phrases:
        first = slots.kinds.phrases[0].split()[0]
        slots.count = count_before(norm, re.escape(normalize(first)))
    if m := _ANCHOR.search(norm):
        slots.anchor = m["what"]
    if not mentioned:
        slots.region = region
        if region is None:
            _destination(slots, finder)
    return slots


_ANCHOR = re.compile(
    r"\b(?:near|next to|close to|around|by|beside)\s+(?:the\s+)?(?P<what>.+?)"
    r"(?:\s+(?:in|to|into|for|on)\s+(?:my|the|this|our)\b.*|\s+in\s+.*)?$"
)
NOT_CITIES = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september"}
    | {"october", "november", "december", "monday", "tuesday", "wednesday", "thursday"}
    | {"friday", "saturday", "sunday", "i", "ive", "im", "id", "ill"}
    | {"plan", "trip", "tour", "visit", "show", "list", "add", "remove", "delete", "help"}
)


def _without(norm: str, names: list[str]) -> str:
    for name in names:
        key = normalize(name)
        if key:
            norm = re.sub(rf"(^| ){re.escape(key)}( |$)", " ", norm)
    return " ".join(norm.split())


def _destination(slots: Slots, finder: Finder) -> None:
    """The place asked for when no city matched: a typo of a city, or something unknown."""
    found = list(_DESTINATION.finditer(slots.norm))
    if found:
        where = re.sub(PREFIX, "", found[-1]["where"]).strip()
    elif (
        0 < len(slots.norm.split()) <= 3
        and not slots.kinds.any
        and not set(slots.norm.split()) & NOT_CITIES
    ):
        where = slots.norm  # a bare "kyotto"
    else:
        return
    misses = finder.near_misses(where)
    if any(score >= 100 for _, score in misses):
        # An exact name the gazetteer reads as something else (a legend such as Atlantis):
        # no suggestions, it is not a typo.
        misses = []
    others = [score for c, score in misses[1:] if c.name != misses[0][0].name]
    if misses and misses[0][1] >= SURE_SCORE and (not others or misses[0][1] - others[0] >= 5):
        cities = _distinct(finder.cities_in(misses[0][0].name))[:1]
        if cities:
            slots.corrected = where
            slots.cities = slots.new_cities = cities
            return
    if found or misses:  # a bare unknown word is not taken for a place
        slots.destination = where
        slots.suggestions = [c for c, _ in misses]


_DESTINATION = re.compile(
    r"\b(?:to|in|visit|visiting|see|explore|around)\s+(?P<where>[a-z][a-z ]{2,40}?)"
    r"(?:\s+(?:for|in|on|from|with|and|next|this|starting|over|during)\b|$)"
)


def _distinct(mentions: list[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for m in mentions:
        if m.city.geonameid not in seen:
            seen.add(m.city.geonameid)
            out.append(m)
    return out


def _about(trip: Trip, city: Any) -> bool:
    return (
        distance_km(trip.center_latitude, trip.center_longitude, city.latitude, city.longitude)
        <= SAME_CITY_KM
    )


def _trip_words(name: str) -> set[str]:
    return {w for w in normalize(name).split() if w not in _TRIP_STOPWORDS and len(w) > 1}


def trips_named(norm: str, trips: list[Trip], cities: list[Any]) -> list[Trip]:
    """Trips the sentence names, by words of their name or by their city ("NYC")."""
    words = set(norm.split())
    order = norm.split()
    scored: list[tuple[int, int, Trip]] = []
    for trip in trips:
        shared = words & _trip_words(trip.name)
        near = [m for m in cities if _about(trip, m.city)]
        score = 2 * len(shared) + (3 if near else 0)
        if score:
            at = min([order.index(w) for w in shared] + [m.at for m in near])
            scored.append((score, -at, trip))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [t for _, _, t in scored]


def places_named(norm: str, trips: list[Trip]) -> list[tuple[Trip, Place]]:
    """Places of these trips the sentence names ("the Trevi Fountain", "central park")."""
    found: list[tuple[Trip, Place]] = []
    words = norm.split()
    for trip in trips:
        for place in trip.places:
            name = normalize(place.name)
            if not name:
                continue
            if re.search(rf"(^| ){re.escape(name)}( |$)", norm):
                found.append((trip, place))
                continue
            # "the Louvre" for Louvre Museum: its distinctive words are all there.
            distinctive = {w for w in name.split() if is_distinctive_word(w)}
            if distinctive and distinctive <= set(words) and len(" ".join(distinctive)) > 3:
                found.append((trip, place))
                continue
            size = len(name.split())
            best = max(
                (
                    fuzz.ratio(name, " ".join(words[i : i + size]))
                    for i in range(max(len(words) - size + 1, 1))
                ),
                default=0.0,
            )
            if best >= PLACE_MATCH and len(name) > 4:
                found.append((trip, place))
    return found


def kinds_in(norm: str) -> Kinds:
    """The kinds of place a sentence asks for, as search phrases, in order of mention.

    Category words come from the gazetteer's synonym table (never from plural or suffix
    rules); kinds the offline gazetteer does not hold ("cafés", "bars") are kept as they
    are, so the search says honestly that it has none."""
    match = match_categories(norm.split())
    found: dict[str, tuple[str, ...]] = {}
    kinds = (["restaurants"] if _EAT.search(norm) else []) + match.unsupported
    for kind in kinds:
        found.setdefault(kind, tuple(w for w, k in UNSUPPORTED.items() if k == kind))
    for category in match.interests:
        found.setdefault(plural(category), (category,))
    return Kinds(tuple(found), match.generic, tuple(found.items()))
