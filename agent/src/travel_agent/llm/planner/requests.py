"""What to do about a new request: read its intent and slots, then answer or call a tool."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...models import Trip
from ...places.gazetteer.text import normalize
from .intents import Intent, classify
from .questions import answer_question
from .replies import (
    ASK_WHERE,
    HELP,
    NO_ITINERARY,
    NO_TRIPS,
    NOT_UNDERSTOOD,
    Reply,
    describe,
    either,
    which_trip,
)
from .slots import Finder, Slots, read_slots

MAX_QUERIES = 10  # the search tool's limit
MAX_CITIES = 5
ITINERARY_TOOLS = frozenset({"plan_days", "optimise_day", "move_places", "set_start_date"})


@dataclass(frozen=True)
class Tools:
    """The tools the graph offers (read from `bind_tools`): day plans exist only once the
    itinerary tools are there, and `add_trips` takes `day_count` only then."""

    names: frozenset[str]
    add_trips_fields: frozenset[str] = frozenset()

    @classmethod
    def from_specs(cls, specs: Iterable[Any]) -> Tools:
        names: set[str] = set()
        fields: frozenset[str] = frozenset()
        for spec in specs:
            fn = spec.get("function", spec) if isinstance(spec, dict) else {}
            name = fn.get("name")
            if isinstance(name, str):
                names.add(name)
                if name == "add_trips":
                    fields = frozenset((fn.get("parameters") or {}).get("properties", {}))
        return cls(frozenset(names), fields)

    @property
    def days(self) -> bool:
        return self.names >= ITINERARY_TOOLS


@dataclass(frozen=True)
class Parsed:
    intent: Intent
    slots: Slots


def parse(text: str, trips: list[Trip], finder: Finder, today: dt.date) -> Parsed:
    slots = read_slots(text, trips, finder, today)
    names_trip = bool(slots.trips or slots.places) or bool(
        re.search(r"\b(this|current|my) (trip|plan|itinerary)\b", slots.norm)
    )
    intent = classify(
        slots.norm,
        text,
        names_trip=names_trip,
        has_trips=bool(trips),
        names_place=bool(slots.cities or slots.region or slots.destination),
    )
    if intent is Intent.ADD and slots.new_cities and not slots.trips:
        intent = Intent.PLAN  # "add Lisbon to my plans": a new trip
    return Parsed(intent, slots)


def on_request(
    text: str,
    trips: list[Trip],
    selected: str | None,
    finder: Finder,
    tools: Tools,
    today: dt.date,
) -> tuple[Parsed, Reply]:
    parsed = parse(text, trips, finder, today)
    return parsed, _decide(parsed, text, trips, selected, finder, tools)


def _decide(
    parsed: Parsed,
    text: str,
    trips: list[Trip],
    selected: str | None,
    finder: Finder,
    tools: Tools,
) -> Reply:
    intent, s = parsed.intent, parsed.slots
    current = next((t for t in trips if t.id == selected), None)
    trip = s.trips[0] if s.trips else (s.places[0][0] if s.places else current)
    if intent is Intent.HELP:
        return Reply(text=HELP)
    if intent is Intent.LIST:
        return Reply(text=describe(trips, selected))
    if intent is Intent.QUESTION:
        return Reply(text=answer_question(s, trips, selected))
    if intent in (Intent.PLAN_DAYS, Intent.OPTIMISE_DAY, Intent.MOVE, Intent.START_DATE):
        return _itinerary(intent, s, trip, tools)
    if intent is Intent.RENAME:
        return _rename(text, s, trips, trip)
    if intent is Intent.DELETE_ALL:
        if not trips:
            return Reply(text=NO_TRIPS)
        return Reply(tool="delete_trips", args={"trip_ids": [t.id for t in trips]})
    if intent is Intent.REMOVE:
        return _remove(s, trips)
    if intent is Intent.ADD:
        return _add(s, trip, trips)
    if intent is Intent.SELECT:
        if trip is None:
            return Reply(text=which_trip(trips))
        return Reply(tool="select_trip", args={"trip_id": trip.id})
    if intent is Intent.PLAN:
        return plan_reply(s)
    return Reply(text=NOT_UNDERSTOOD)


def _rename(text: str, s: Slots, trips: list[Trip], trip: Trip | None) -> Reply:
    m = re.search(r"\b(?:to|as)\b\s+(?P<name>[^\n]+)$", text, re.I) or re.search(
        r"\bcall\b.+?\btrip\b\s+(?P<name>[^\n]+)$", text, re.I
    )
    if trip is None:
        return Reply(text=which_trip(trips))
    name = m["name"].strip().strip("\"'“”.!").strip() if m else ""
    if not name:
        return Reply(text="What should the new name be?")
    return Reply(
        tool="update_trips",
        args={"trips": [trip.model_copy(update={"name": name[:200]}).model_dump(mode="json")]},
    )


def _remove(s: Slots, trips: list[Trip]) -> Reply:
    """Places of a trip when the sentence names some, else the trips it names; never adds."""
    if not trips:
        return Reply(text=NO_TRIPS)
    if s.places:
        by_trip: dict[str, set[str]] = {}
        for trip, place in s.places:
            by_trip.setdefault(trip.id, set()).add(place.id)
        changed = [
            t.model_copy(update={"places": [p for p in t.places if p.id not in by_trip[t.id]]})
            for t in trips
            if t.id in by_trip
        ]
        return Reply(
            tool="update_trips", args={"trips": [t.model_dump(mode="json") for t in changed]}
        )
    if s.trips:
        named = [t for t in s.trips if _score_is_top(t, s)]
        return Reply(tool="delete_trips", args={"trip_ids": [t.id for t in named]})
    if s.cities:
        where = either([c.city.name for c in s.cities])
        return Reply(
            text=f"You have no trip to {where}, so there is nothing to remove. "
            + (describe(trips, None))
        )
    if re.search(r"\b(this|current|that) (trip|plan|one)\b", s.norm):
        return Reply(text=which_trip(trips))
    return Reply(text="I could not tell which place or trip to remove. " + which_trip(trips))


def _score_is_top(trip: Trip, s: Slots) -> bool:
    # Several trips named ("delete the Rome and Paris trips") are all meant; a trip that
    # only shares a word with the first one is not.
    return trip is s.trips[0] or any(
        w in s.norm.split() for w in normalize(trip.name).split() if len(w) > 3
    )


def _add(s: Slots, trip: Trip | None, trips: list[Trip]) -> Reply:
    if trip is None:
        return Reply(text=which_trip(trips))
    city = _trip_city(trip, s)
    where = f" in {city}" if city else ""
    anchor_place = next((p for t, p in s.places if t.id == trip.id), None)
    if s.kinds.any:
        queries = [f"{k}{where}" for k in s.kinds.phrases]
        if s.anchor and anchor_place is None:
            queries.append(s.anchor)
        return Reply(
            tool="search_for_places", args={"queries": queries[:MAX_QUERIES], "trip_id": trip.id}
        )
    if anchor_place is not None and not s.anchor:
        return Reply(text=f"{anchor_place.name} is already in {trip.name}.")
    what = _what_to_add(s.norm)
    if not what:
        return Reply(text=f"What would you like to add to {trip.name}? For example: a museum.")
    return Reply(tool="search_for_places", args={"queries": [what], "trip_id": trip.id})


def _what_to_add(norm: str) -> str:
    m = re.search(
        r"\b(?:add|include|put|throw|squeeze|fit|stick|pop|insert|append|see|visit)\b"
        r"(?: in)?\s+(?P<what>.+?)(?:\s+(?:to|into|in|on|onto)\s+(?:my|the|this|our)\b.*)?$",
        norm,
    )
    if m is None:
        return ""
    return re.sub(r"^(a|an|the|some|also)\s+", "", m["what"]).strip()


def _trip_city(trip: Trip, s: Slots) -> str | None:
    for m in s.cities:
        if abs(m.city.latitude - trip.center_latitude) < 0.5:
            return str(m.city.name)
    return None


def plan_queries(s: Slots) -> list[tuple[Any, str]]:
    """(city, query) pairs for a new-trip request, at most MAX_QUERIES."""
    kinds = s.kinds.phrases or ("top sights",)
    pairs: list[tuple[Any, str]] = []
    cities = [m.city for m in s.cities[:MAX_CITIES]]
    if not cities and s.region is not None and s.region.cities:
        cities = [s.region.cities[0]]
    per_city = max(1, MAX_QUERIES // max(len(cities), 1))
    for city in cities:
        label = f"{city.name}, {city.region}" if _needs_region(s, city) else city.name
        pairs.extend((city, f"{k} in {label}") for k in kinds[:per_city])
    return pairs[:MAX_QUERIES]


def _needs_region(s: Slots, city: Any) -> bool:
    return any(m.city is city and (m.qualified or m.alternatives) for m in s.cities)


def plan_reply(s: Slots) -> Reply:
    if s.cities:
        unsure = [m for m in s.cities if m.ambiguous]
        if unsure:
            m = unsure[0]
            options = [f"{c.name}, {c.region}" for c in (m.city, *m.alternatives)][:4]
            return Reply(
                text=f"Which {m.city.name} do you mean: {either(options)}? Say for example "
                f'"Plan a trip to {options[1]}".'
            )
        return Reply(tool="search_for_places", args={"queries": [q for _, q in plan_queries(s)]})
    if s.region is not None:
        cities = list(s.region.cities)
        if cities and cities[0].has_landmarks:
            return Reply(
                tool="search_for_places", args={"queries": [q for _, q in plan_queries(s)]}
            )
        if cities:
            names = either([c.name for c in cities])
            return Reply(
                text=f"{s.region.label} is a region, and I plan one city at a time. Its main "
                f"cities in the offline gazetteer are {names}. Say for example "
                f'"Plan a trip to {cities[0].name}".'
            )
    if s.destination:
        return _unknown_place(s.destination, s.suggestions)
    return Reply(text=ASK_WHERE)


def _unknown_place(phrase: str, suggestions: list[Any]) -> Reply:
    if suggestions:
        names = either([f"{c.name} ({c.region})" for c in suggestions])
        return Reply(
            text=f'I could not find "{phrase}" in the offline gazetteer. Did you mean {names}? '
            f'Say for example "Plan a trip to {suggestions[0].name}".'
        )
    return Reply(
        text=f'I could not find "{phrase}" in the offline gazetteer, and I never make places '
        'up. Try a well-known city, for example "Plan a trip to Lisbon".'
    )


def _itinerary(intent: Intent, s: Slots, trip: Trip | None, tools: Tools) -> Reply:
    if not tools.days:
        return Reply(text=NO_ITINERARY)
    if trip is None:
        return Reply(text='Which trip do you mean? Name it, for example "my Rome trip".')
    if intent is Intent.PLAN_DAYS:
        if s.days is None:
            return Reply(text=f"Over how many days should I spread {trip.name}?")
        args: dict[str, Any] = {"trip_id": trip.id, "day_count": max(1, min(s.days, 30))}
        if s.start_date is not None:
            args["start_date"] = s.start_date.isoformat()
        return Reply(tool="plan_days", args=args)
    if intent is Intent.OPTIMISE_DAY:
        if s.day is None:
            return Reply(text="Which day should I put in route order? For example: day 2.")
        target = s.day if s.day > 0 else max(len(_days(trip)), 1)
        return Reply(tool="optimise_day", args={"trip_id": trip.id, "day": target})
    if intent is Intent.MOVE:
        places = [p for t, p in s.places if t.id == trip.id]
        if not places:
            return Reply(text=f"Which place of {trip.name} should I move?")
        unscheduled = bool(re.search(r"\b(unschedule|not yet scheduled|out of)\b", s.norm))
        day = None if unscheduled else s.day
        if not unscheduled and day is None:
            return Reply(text="To which day? For example: day 3.")
        if day is not None and day < 0:
            day = max(len(_days(trip)), 1)
        return Reply(
            tool="move_places",
            args={"trip_id": trip.id, "place_ids": [p.id for p in places], "day": day,
                  "position": None},
        )  # fmt: skip
    if s.start_date is None and not s.clears_date:
        return Reply(text="From which date? For example: start on 5 May, or 2027-05-05.")
    start = s.start_date.isoformat() if s.start_date else None
    return Reply(tool="set_start_date", args={"trip_id": trip.id, "start_date": start})


def _days(trip: Trip) -> list[object]:
    # Days exist once the itinerary model is there; until then a trip has none.
    days = getattr(trip, "days", None)
    return list(days) if days else []
