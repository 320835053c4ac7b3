"""What the offline planner says: help, trip listings, honest refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...models import Trip

EXAMPLES = (
    "Plan a 3-day trip to Rome, I like museums and old churches",
    "Plan four days in Vancouver from 12 March",
    "Add two cafés near the Trevi Fountain to my Rome trip",
    "Remove Central Park from the NYC trip",
    "Does my NYC trip have a museum?",
    "Rename the Paris trip to Paris with friends",
    "Delete the NYC trip",
    "Show the Paris trip",
    "List my trips",
)
HELP = (
    "I'm the offline planner: I work without an AI service, so I understand a fixed set of "
    "requests. Try:\n" + "\n".join(f'- "{e}"' for e in EXAMPLES)
)
ASK_WHERE = 'Where would you like to go? Tell me a city, for example: "Plan a trip to Lisbon".'
NO_TRIPS = 'You have no trips yet. Try: "Plan a trip to Rome".'
NOT_UNDERSTOOD = "Sorry, I didn't understand that.\n\n" + HELP
NO_ITINERARY = (
    "Day plans are not available in this version of the service, so I can't do that; "
    "I can add, remove and rename places and trips."
)


def which_trip(trips: Sequence[Trip]) -> str:
    if not trips:
        return NO_TRIPS
    return f"Which trip do you mean? You have: {', '.join(t.name for t in trips)}."


def describe(trips: Sequence[Trip], selected: str | None) -> str:
    if not trips:
        return NO_TRIPS
    lines = ["Your trips:"]
    for t in trips:
        mark = " (on the map)" if t.id == selected else ""
        places = ", ".join(p.name for p in t.places) or "no places yet"
        lines.append(f"- **{t.name}**{mark}: {places}")
    return "\n".join(lines)


def listing(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def either(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


@dataclass(frozen=True)
class Reply:
    """A text answer, or one tool call with its arguments."""

    text: str = ""
    tool: str | None = None
    args: dict[str, Any] | None = None
