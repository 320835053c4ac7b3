"""Answers to questions about the trips ("does my NYC trip have a museum?"): they read the
trips and change nothing."""

from __future__ import annotations

import datetime as dt
import re

from ...models import Place, Trip
from ...places.gazetteer.text import normalize
from .replies import NO_TRIPS, describe, listing
from .slots import Slots


def _size(trip: Trip) -> tuple[int, int]:
    return (len(_days(trip)), len(trip.places))


def _has_kind(place: Place, words: tuple[str, ...]) -> bool:
    # Offline places say their kind first ("Museum · ..."); others may say it in the name.
    kind = normalize((place.description or "").split("·")[0])
    name = set(normalize(place.name).split())
    return any(normalize(w) == kind or normalize(w) in name for w in words)


def answer_question(s: Slots, trips: list[Trip], selected: str | None) -> str:
    if not trips:
        return NO_TRIPS
    norm = s.norm
    if re.search(r"\b(longest|biggest|largest|most places|most days|shortest|smallest)\b", norm):
        short = bool(re.search(r"\b(shortest|smallest|fewest)\b", norm))
        pick = (min if short else max)(trips, key=_size)
        days = f"{len(_days(pick))} days, " if _days(pick) else ""
        word = "shortest" if short else "longest"
        return f"The {word} is **{pick.name}** ({days}{len(pick.places)} places)."
    if re.search(r"\bhow many (trips|plans)\b", norm):
        return f"You have {len(trips)} trips: {listing([t.name for t in trips])}."
    trip = s.trips[0] if s.trips else next((t for t in trips if t.id == selected), None)
    if trip is None:
        return describe(trips, selected)
    if s.places and s.places[0][0].id == trip.id:
        names = listing([p.name for t, p in s.places if t.id == trip.id])
        return f"Yes, {names} is in **{trip.name}**."
    if s.kinds.phrases:
        phrase = s.kinds.phrases[0]
        words = s.kinds.words_for(phrase)
        found = [p.name for p in trip.places if _has_kind(p, words)]
        if found:
            return f"Yes: **{trip.name}** has {listing(found)}."
        return (
            f"No, **{trip.name}** has no {phrase}. Its places: "
            + (", ".join(p.name for p in trip.places) or "none yet")
            + "."
        )
    if re.search(r"\bhow many (places|stops|sights)\b", norm):
        return f"**{trip.name}** has {len(trip.places)} places."
    if re.search(r"\b(when|what date|which date)\b", norm):
        start = _start(trip)
        if start is None:
            return f"**{trip.name}** has no start date yet."
        return f"**{trip.name}** starts on {start.isoformat()}."
    if re.search(r"\bis\b.+\bin\b", norm) and not s.places:
        return (
            f"I could not find that in **{trip.name}**. Its places: "
            + (", ".join(p.name for p in trip.places) or "none yet")
            + "."
        )
    return describe([trip], selected)


def _days(trip: Trip) -> list[object]:
    # Days exist once the itinerary model is there; until then a trip has none.
    days = getattr(trip, "days", None)
    return list(days) if days else []


def _start(trip: Trip) -> dt.date | None:
    start = getattr(trip, "start_date", None)
    return start if isinstance(start, dt.date) else None
