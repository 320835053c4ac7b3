"""Which kind of request a sentence is: a small ordered grammar over normalised text.

Order matters and is deliberate: greetings, then questions (which change nothing), then
the changes whose verbs are the most specific (itinerary, rename, remove, delete), then
adding, showing and, last, planning a new trip. A sentence that names a city is therefore
never read as "plan a trip" when it asks to remove, delete or answer something.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Intent(StrEnum):
    HELP = "help"
    LIST = "list"
    QUESTION = "question"
    RENAME = "rename"
    REMOVE = "remove"  # places out of a trip, or the trip itself (decided with the trips)
    DELETE_ALL = "delete_all"
    ADD = "add"  # places into an existing trip
    SELECT = "select"
    PLAN = "plan"  # new trips
    PLAN_DAYS = "plan_days"
    OPTIMISE_DAY = "optimise_day"
    MOVE = "move"
    START_DATE = "set_start_date"
    UNKNOWN = "unknown"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(rf"(?:{p})" for p in patterns))


HELP = _any(
    r"^(hi|hello|hey|hiya|good (morning|afternoon|evening)|help|thanks|thank you)( there)?$",
    r"^what can you do$", r"^how does this work$", r"^what do you understand$",
)  # fmt: skip
LIST = _any(
    r"^(list|show|display|give me|see|view)( me)?( all)?( of)? my (trips|plans|itineraries)",
    r"\blist (all )?(my |the )?(trips|plans)\b", r"^(my trips|trips)$",
    r"\b(what|which) trips\b", r"\bwhat (have i|did i|ive) (got )?planned\b",
    r"\b(show|list|tell)( me)? (everything|all) (ive|i have) (planned|got|saved)\b",
    r"\bwhat( trips)? do i have\b", r"\bshow me everything\b", r"^(show|list) (all|everything)$",
    r"\boverview of my trips\b", r"\bwhats planned\b",
)  # fmt: skip
_REQUEST_START = re.compile(
    r"^(can|could|would|will) (you|u)\b|^(please|pls)\b|^(id|i would) like\b|^lets\b"
)
_QUESTION_START = re.compile(
    r"^(does|do|did|is|are|has|have|was|were|which|what|whats|how|when|where|who|am i)\b"
)
_QUESTION_ABOUT_TRIPS = re.compile(
    r"\b(trip|trips|planned|itinerary|day|days|places|longest|shortest|biggest|most)\b"
    r"|\b(do|did) (i|we) have\b"
)
DELETE_ALL = _any(
    r"\b(delete|remove|drop|scrap|cancel|wipe|clear|erase|bin|ditch|trash|get rid of|"
    r"throw away|forget)( out)? (all|every|everything|each)\b",
    r"\b(wipe|clear|erase|delete) (them all|it all|the lot|my slate)\b",
    r"\bstart (over|again) from scratch\b", r"\bdelete my trips\b", r"\bremove my trips\b",
)  # fmt: skip
RENAME = _any(
    r"\brename\b", r"\bchange the name of\b", r"\bcall (the|my|this) .+ trip\b",
    r"\bchange (the|my|this) .+ name to\b",
)  # fmt: skip
REMOVE = _any(
    r"\b(remove|delete|drop|strike|scrap|cancel|ditch|bin|erase|axe|nix|cut|scratch|lose)\b",
    r"\btake\b.+\b(out|off)\b", r"\bget rid of\b", r"\bcross\b.+\boff\b",
    r"\bforget (about )?(the|my)\b", r"\b(not|no longer|never) (going|travelling|traveling|"
    r"visiting|doing|heading)\b", r"\bwont be (going|visiting|travelling)\b",
    r"\bdont want\b.+\b(any ?more|after all|anymore)\b", r"\bafter all\b",
    r"\bcall off\b", r"\bskip\b", r"\bleave out\b", r"\bthrow out\b", r"\bdo without\b",
)  # fmt: skip
OPTIMISE = _any(
    r"\b(optimi[sz]e|reorder|re order|sort out|shorten|tidy)\b.*\bday\b",
    r"\b(best|shortest|quickest) (route|order|way)\b.*\bday\b",
    r"\bday\b.*\bin (route|the best|a sensible|walking) order\b",
    r"\bput day\b.*\bin order\b", r"\b(optimi[sz]e) (the )?route\b",
)  # fmt: skip
MOVE = _any(
    r"\b(move|put|shift|schedule|place|switch)\b.+\b(to|on|onto|into|for) (the )?(day\b|"
    r"(first|second|third|fourth|fifth|sixth|seventh|last) day)",
    r"\b(unschedule|move .+ out of (the|its) day|move .+ to not yet scheduled)\b",
)  # fmt: skip
PLAN_DAYS = _any(
    r"\b(spread|split|divide|break|organi[sz]e|arrange|schedule|lay out|sort)\b.+\b(over|"
    r"into|across|in|between)\b.+\b(days?|weeks?|fortnight)\b",
    r"\bmake (my|the|this) .+ (trip )?(a )?\w+[ -]days?( trip)?\b",
    r"\bplan the days\b", r"\bday by day\b",
)  # fmt: skip
START_DATE = _any(
    r"\b(start|starts|starting|begin|begins|beginning|leave|leaving|depart|departing)\b.*"
    r"\b(on|from)\b", r"\bstart date\b", r"\bstarts? (tomorrow|today)\b",
)  # fmt: skip
ADD = _any(
    r"\b(add|include|put|throw|squeeze|fit|stick|pop|insert|append)\b",
    r"\bi (also )?(want|d like|would like|id like) to (see|visit|go to)\b"
    r".+\b(on|in|to) (my|the|this)\b",
)  # fmt: skip
SELECT = _any(
    r"^(show|open|display|view|select|pick|switch to|go to|bring up|focus on|back to|"
    r"take me to)\b", r"\bon the map\b", r"\bswitch to\b",
)  # fmt: skip
ON_THE_MAP = re.compile(r"\bon the map\b")
PLAN = _any(
    r"\b(plan|planning|trip|trips|visit|visiting|travel|travelling|traveling|go|going|"
    r"holiday|holidays|vacation|getaway|break|weekend|days?|week|fortnight|nights?|tour|"
    r"explore|exploring|see|itinerary|fly|flying|head|heading|spend|honeymoon|city break)\b",
)  # fmt: skip


def is_question(norm: str, names_trip: bool = False) -> bool:
    """A question about the trips, not a polite request ("can you plan ..?")."""
    if _REQUEST_START.search(norm) or not _QUESTION_START.search(norm):
        return False
    return names_trip or bool(_QUESTION_ABOUT_TRIPS.search(norm))


def classify(
    norm: str, raw: str, *, names_trip: bool, has_trips: bool, names_place: bool = False
) -> Intent:
    """The intent of a normalised sentence; `names_trip`: it names one of the person's
    trips (by name or city); `has_trips`: the person has any; `names_place`: it names a
    city or region (a bare "Kyoto" or "museums in Madrid" is a trip to plan)."""
    if not norm or HELP.search(norm):
        return Intent.HELP
    if LIST.search(norm) and not RENAME.search(norm):
        return Intent.LIST
    if is_question(norm, names_trip):
        return Intent.QUESTION
    if has_trips:
        if OPTIMISE.search(norm):
            return Intent.OPTIMISE_DAY
        if MOVE.search(norm):
            return Intent.MOVE
        if RENAME.search(norm):
            return Intent.RENAME
        if DELETE_ALL.search(norm):
            return Intent.DELETE_ALL
        if REMOVE.search(norm):
            return Intent.REMOVE
        if PLAN_DAYS.search(norm) and names_trip:
            return Intent.PLAN_DAYS
        if START_DATE.search(norm) and not _plans_new(norm, names_trip):
            return Intent.START_DATE
        if ON_THE_MAP.search(norm) and names_trip:
            return Intent.SELECT
        if ADD.search(norm) and names_trip:
            return Intent.ADD
        if SELECT.search(norm) and names_trip:
            return Intent.SELECT
    elif REMOVE.search(norm) or DELETE_ALL.search(norm) or RENAME.search(norm):
        return Intent.REMOVE  # answered with "you have no trips"
    return Intent.PLAN if names_place or PLAN.search(norm) else Intent.UNKNOWN


def _plans_new(norm: str, names_trip: bool) -> bool:
    return not names_trip and bool(re.search(r"\b(plan|trip|days?|week|visit)\b", norm))
