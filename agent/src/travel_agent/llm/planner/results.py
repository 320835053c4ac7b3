"""What to do after a tool ran: turn search results into a proposal, or say what happened."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from rapidfuzz import fuzz

from ...models import Place, Trip
from ...places.gazetteer.geo import distance_km
from ...places.gazetteer.text import normalize
from .intents import Intent
from .replies import Reply, describe, either, listing
from .requests import Parsed, Tools, plan_queries

MAX_PLACES = 10
ADD_DEFAULT = 3  # places added to a trip when no number is given
SAME_PLACE_KM = 0.1  # a place this close to one already in the trip, with a similar
SIMILAR_NAME = 60.0  # name (rapidfuzz token-set score), is that place
CITY_RADIUS_KM = 60.0  # a new trip's places must be this close to its city


def _results(content: str) -> list[dict[str, Any]] | None:
    try:
        results = json.loads(content)["results"]
    except (ValueError, KeyError, TypeError):
        return None
    return results if isinstance(results, list) else None


def _places(entry: dict[str, Any]) -> list[Place]:
    return [Place.model_validate(raw) for raw in entry.get("places", [])]


def _is_city_itself(place: Place, city: Any | None) -> bool:
    if place.id.startswith("gaz-city-"):
        return True
    return (
        city is not None
        and normalize(place.name) == normalize(city.name)
        and (distance_km(place.latitude, place.longitude, city.latitude, city.longitude) < 3)
    )


def notes_of(results: list[dict[str, Any]]) -> list[str]:
    return [str(r["note"]) for r in results if r.get("note") and not r.get("places")]


def after_search(
    content: str, parsed: Parsed, trips: list[Trip], selected: str | None, tools: Tools
) -> Reply:
    results = _results(content)
    if results is None:
        return Reply(text="Place search gave me something I could not read; try again.")
    errors = [str(r["error"]) for r in results if r.get("error")]
    if not any(r.get("places") for r in results):
        if errors:
            return Reply(text=errors[0] + " I won't make up places, so let's try later.")
        notes = " ".join(dict.fromkeys(notes_of(results)))
        return Reply(
            text=f"I could not find any matching places. {notes} "
            "I can search landmarks, museums, churches, parks, markets and viewpoints: try "
            'for example "museums in Rome".'.replace("  ", " ")
        )
    if parsed.intent is Intent.ADD:
        return _add_to_trip(results, parsed, trips, selected)
    return _new_trips(results, parsed, trips, tools)


def _add_to_trip(
    results: list[dict[str, Any]], parsed: Parsed, trips: list[Trip], selected: str | None
) -> Reply:
    s = parsed.slots
    trip = s.trips[0] if s.trips else (s.places[0][0] if s.places else None)
    trip = trip or next((t for t in trips if t.id == selected), None)
    if trip is None:
        return Reply(text="Which trip do you mean?")
    anchor = next((p for t, p in s.places if t.id == trip.id), None)
    found: list[Place] = []
    for entry in results:
        if s.anchor and entry.get("query") == s.anchor and anchor is None:
            anchor = next(iter(_places(entry)), None)
            continue
        found.extend(_places(entry))
    if anchor is not None:
        found = [p for p in found if p.id != anchor.id]
        found.sort(
            key=lambda p: distance_km(anchor.latitude, anchor.longitude, p.latitude, p.longitude)
        )
    far = [p for p in found if _km(trip, p) > CITY_RADIUS_KM]
    found = [p for p in found if _km(trip, p) <= CITY_RADIUS_KM]
    if far and not found:
        return Reply(
            text=f"{far[0].name} ({far[0].address}) is far from **{trip.name}**, so I did not "
            "add it; plan a separate trip for it instead."
        )
    new: list[Place] = []
    already: list[str] = []
    for place in found:
        if _duplicate(place, [*trip.places, *new]):
            if place.name not in already:
                already.append(place.name)
            continue
        new.append(place)
    # A named place: the best match only.
    new = new[: s.count or ADD_DEFAULT] if s.kinds.any else new[:1]
    if not new:
        if already:
            return Reply(text=f"{listing(already[:3])} already in **{trip.name}**, so I "
                         "did not add a second copy.")  # fmt: skip
        return Reply(text="I found nothing new to add. " + " ".join(notes_of(results)))
    updated = trip.model_copy(update={"places": [*trip.places, *new]})
    return Reply(tool="update_trips", args={"trips": [updated.model_dump(mode="json")]})


def _km(trip: Trip, place: Place) -> float:
    return distance_km(trip.center_latitude, trip.center_longitude, place.latitude, place.longitude)


def _duplicate(place: Place, have: list[Place]) -> bool:
    """The same place: same id or name, or a similar name within ~100 m ("Louvre" and
    "Musée du Louvre"); St. Peter's Basilica and the Sistine Chapel, 90 m apart, are two."""
    name = normalize(place.name)
    return any(
        p.id == place.id
        or normalize(p.name) == name
        or (
            distance_km(p.latitude, p.longitude, place.latitude, place.longitude) <= SAME_PLACE_KM
            and fuzz.token_set_ratio(normalize(p.name), name) >= SIMILAR_NAME
        )
        for p in have
    )


def _new_trips(
    results: list[dict[str, Any]], parsed: Parsed, trips: list[Trip], tools: Tools
) -> Reply:
    s = parsed.slots
    by_query = {str(r.get("query")): _places(r) for r in results}
    pairs = plan_queries(s)
    cities: list[Any] = []
    places: dict[int, list[Place]] = {}
    for city, query in pairs:
        if city.geonameid not in places:
            cities.append(city)
            places[city.geonameid] = []
        for place in by_query.get(query, []):
            near = distance_km(city.latitude, city.longitude, place.latitude, place.longitude)
            kept = places[city.geonameid]
            ok = near <= CITY_RADIUS_KM and not _is_city_itself(place, city)
            if ok and not _duplicate(place, kept):
                kept.append(place)
    taken = {t.id for t in trips}
    new: list[Trip] = []
    only_city: list[Any] = []
    for city in cities:
        chosen = places[city.geonameid][:MAX_PLACES]
        if not chosen:
            only_city.append(city)
            continue
        trip_id = _new_trip_id(city.name, taken)
        taken.add(trip_id)
        new.append(
            Trip(
                id=trip_id,
                name=_trip_name(s, city),
                center_latitude=city.latitude,
                center_longitude=city.longitude,
                zoom=13,
                places=chosen,
            )
        )
    if not new:
        return Reply(text=_only_the_city(only_city, notes_of(results)))
    args: dict[str, Any] = {"trips": [t.model_dump(mode="json") for t in new]}
    if "day_count" in tools.add_trips_fields and s.days is not None:
        args["day_count"] = max(1, min(s.days, 30))
    if "start_date" in tools.add_trips_fields and s.start_date is not None:
        args["start_date"] = s.start_date.isoformat()
    return Reply(tool="add_trips", args=args)


def _only_the_city(cities: list[Any], notes: list[str]) -> str:
    parts = []
    for c in cities:
        parts.append(
            f"{c.name} ({c.region}, population {c.population:,}) is in the offline gazetteer, "
            "but it has no curated landmarks or places there"
        )
    known = "; ".join(parts) or "The offline gazetteer has no places for that"
    hint = f" ({' '.join(dict.fromkeys(notes))})" if notes and not cities else ""
    return (
        f"{known}{hint}. A trip with only the city in it would not help you, so I did not "
        "propose one. Tell me what you like there, or try a city with landmarks, for example "
        '"Plan a trip to Lisbon".'
    )


def _trip_name(s: Any, city: Any) -> str:
    where = city.name
    mention = next((m for m in s.cities if m.city is city), None)
    if mention is not None and (mention.qualified or mention.alternatives):
        where = f"{city.name}, {city.region.split(', ')[0]}"
    elif s.region is not None and not s.cities:
        where = f"{city.name} ({s.region.label})"
    return f"{s.days} days in {where}" if s.days else f"Trip to {where}"


def _new_trip_id(base: str, taken: set[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(base)).strip("-") or "trip"
    n = 1
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}" if slug.isascii() else f"trip-{uuid.uuid4().hex[:8]}"


def after_change(
    name: str, artifact: dict[str, Any] | None, parsed: Parsed, trips: list[Trip],
    selected: str | None, search_notes: list[str],
) -> Reply:  # fmt: skip
    decision = (artifact or {}).get("decision")
    if decision == "cancelled":
        return Reply(text="OK, I won't make that change. What would you like to do instead?")
    approved = (artifact or {}).get("approved_place_ids")
    proposal = (artifact or {}).get("proposal") or {}
    offered = [p for c in proposal.get("changes", []) for p in (c.get("after") or {}).get(
        "places", [])]  # fmt: skip
    if name == "delete_trips":
        return Reply(text="Done: deleted. " + describe(trips, selected))
    if name == "add_trips" and decision == "partial" and not approved and offered:
        return Reply(text="OK, you picked none of the places, so I added nothing.")
    if name == "update_trips" and decision == "partial" and not approved:
        return Reply(text="OK, you picked none of the changes, so nothing changed.")
    trip = next((t for t in trips if t.id == selected), None)
    if trip is None:
        return Reply(text="Done.")
    verb = "added" if name == "add_trips" else "updated"
    some = " with the places you picked" if decision == "partial" else ""
    added = [c.get("after", {}).get("name") for c in proposal.get("changes", [])]
    added = [a for a in added if a and a in {t.name for t in trips}]
    what = (
        listing([f"**{a}**" for a in added])
        if name == "add_trips" and added
        else (f"**{trip.name}**")
    )
    it = "It" if what == f"**{trip.name}**" else f"**{trip.name}**"
    text = f"Done: I {verb} {what}{some}. {it} has {len(trip.places)} places and is on the map now."
    s = parsed.slots
    chosen = [m for m in s.cities if m.alternatives and not m.qualified]
    for m in chosen:
        others = either([f"{c.name}, {c.region.split(', ')[0]}" for c in m.alternatives[:3]])
        text += f' I took {m.city.name} in {m.city.region}; for another, say e.g. "{others}".'
    if s.region is not None and not s.cities and s.region.cities:
        rest = [c.name for c in s.region.cities[1:]]
        text += f" I planned {s.region.cities[0].name}, the best-known city of {s.region.label}"
        text += f"; also there: {listing(rest)}." if rest else "."
    if name == "add_trips" and len(s.cities) > 1:
        missing = [m.city.name for m in s.cities if not any(m.city.name in a for a in added)]
        if missing:
            text += f" The offline data has no places for {listing(missing)}, so no trip there."
    if search_notes:
        text += " Note: " + " ".join(dict.fromkeys(search_notes))
    return Reply(text=text + " Anything else you would like to change?")
