"""The offline planner: a deterministic chat model that needs no network.

It reads what an LLM would read (the system prompt with the trips, the conversation, tool
results) and answers with the same tool calls an LLM would make, streamed the way OpenAI
streams them, so it runs through the very same graph. The requests it understands are
listed in HELP and in the README.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict

from ..models import Place, Trip
from ..prompts import trips_from_prompt

HELP = """I'm the offline planner: I work without an AI service, so I understand a fixed \
set of requests. Try:
- "Plan a 3-day trip to Rome, I like museums and old churches"
- "Add a park to my Rome trip" / "Add the Colosseum to my Rome trip"
- "Remove Central Park from the NYC trip"
- "Rename the Paris trip to Paris with friends"
- "Delete the NYC trip"
- "Show the Paris trip"
- "List my trips\""""

ASK_WHERE = 'Where would you like to go? Tell me a city, for example: "Plan a trip to Lisbon".'

MAX_PLACES = 10
ARG_FRAGMENT = 160  # characters of tool-call arguments per streamed chunk


@dataclass(frozen=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float


class CityFinder(Protocol):
    """What the planner needs from a gazetteer."""

    def find_city(self, text: str) -> Any: ...

    def categories_in(self, text: str) -> list[str]: ...


def fold(text: str) -> str:
    """Lower case without accents, for matching what people type."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Reply:
    text: str = ""
    tool: str | None = None
    args: dict[str, Any] | None = None


class OfflinePlanner(BaseChatModel):
    """A rule-based planner with the interface of a LangChain chat model."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    finder: Any  # CityFinder; typed loosely because pydantic cannot validate a Protocol

    @property
    def _llm_type(self) -> str:
        return "offline-planner"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        # The planner knows its tools already; binding changes nothing.
        return self

    # -- LangChain entry points -------------------------------------------------------
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = list(self._chunks(self.respond(messages)))
        message: AIMessageChunk = chunks[0]
        for c in chunks[1:]:
            message = message + c
        return ChatResult(generations=[ChatGeneration(message=_to_message(message))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks(self.respond(messages)):
            if run_manager and isinstance(chunk.content, str) and chunk.content:
                run_manager.on_llm_new_token(chunk.content)
            yield ChatGenerationChunk(message=chunk)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks(self.respond(messages)):
            if run_manager and isinstance(chunk.content, str) and chunk.content:
                await run_manager.on_llm_new_token(chunk.content)
            yield ChatGenerationChunk(message=chunk)

    @staticmethod
    def _chunks(reply: Reply) -> Iterator[AIMessageChunk]:
        if reply.tool:
            # Name first with empty arguments, then argument fragments: the way OpenAI
            # streams, and the way the AG-UI LangGraph integration expects.
            call_id = f"call_{uuid.uuid4().hex[:24]}"
            yield AIMessageChunk(
                content="",
                tool_call_chunks=[{"name": reply.tool, "args": "", "id": call_id, "index": 0}],
            )
            args = json.dumps(reply.args, ensure_ascii=False)
            for i in range(0, len(args), ARG_FRAGMENT):
                yield AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        {"name": None, "args": args[i : i + ARG_FRAGMENT], "id": None, "index": 0}
                    ],
                )
            return
        words = re.findall(r"\S+\s*|\s+", reply.text) or [""]
        for i in range(0, len(words), 3):
            yield AIMessageChunk(content="".join(words[i : i + 3]))

    # -- the planner ------------------------------------------------------------------
    def respond(self, messages: list[BaseMessage]) -> Reply:
        system = next((m for m in messages if isinstance(m, SystemMessage)), None)
        trips, selected = trips_from_prompt(_text(system)) if system else ([], None)
        request = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
        text = _text(request) if request else ""
        last = messages[-1] if messages else None
        if isinstance(last, ToolMessage):
            return self._after_tool(last, messages, text, trips, selected)
        return self._on_request(text, trips, selected)

    def _on_request(self, text: str, trips: list[Trip], selected: str | None) -> Reply:
        norm = fold(text).strip()
        if not norm or re.fullmatch(r"(hi|hello|hey|help|what can you do)\W*", norm):
            return Reply(text=HELP)
        if re.search(r"\blist\b|\b(what|which) trips\b|\bshow (me )?(all )?my trips\b", norm):
            return Reply(text=_describe(trips, selected))
        if m := re.search(r"\brename\b(?P<trip>.*?)\bto\b(?P<name>.+)$", text, re.I | re.S):
            trip = _find_trip(m["trip"], trips, selected)
            if trip is None:
                return Reply(text=_which_trip(trips))
            name = m["name"].strip().strip("\"'“”.!").strip()
            if not name:
                return Reply(text="What should the new name be?")
            return Reply(
                tool="update_trips",
                args={"trips": [trip.model_copy(update={"name": name}).model_dump(mode="json")]},
            )
        if m := re.search(r"\b(remove|delete|drop)\b(?P<place>.+?)\bfrom\b(?P<trip>.+)$", norm):
            trip = _find_trip(m["trip"], trips, selected)
            if trip is None:
                return Reply(text=_which_trip(trips))
            gone = _find_places(m["place"], trip)
            if not gone:
                return Reply(text=f"I could not find {m['place'].strip()!r} in {trip.name}.")
            kept = [p for p in trip.places if p.id not in {g.id for g in gone}]
            return Reply(
                tool="update_trips",
                args={"trips": [trip.model_copy(update={"places": kept}).model_dump(mode="json")]},
            )
        if re.search(r"\b(delete|remove|drop)\b", norm):
            trip = _find_trip(
                norm, trips, selected, use_selected=bool(re.search(r"\bthis\b", norm))
            )
            if trip is None:
                return Reply(text=_which_trip(trips))
            return Reply(tool="delete_trips", args={"trip_ids": [trip.id]})
        if m := re.search(r"\badd\b(?P<what>.+?)\b(to|into)\b(?P<trip>.+)$", norm):
            trip = _find_trip(m["trip"], trips, selected)
            if trip is not None:
                city = self._city_of(trip)
                what = re.sub(r"^(a|an|the|some)\s+", "", m["what"].strip())
                query = f"{what} in {city.name}" if city else what
                return Reply(
                    tool="search_for_places", args={"queries": [query], "trip_id": trip.id}
                )
        if re.search(r"\b(select|show|switch to|open|view|display)\b", norm):
            trip = _find_trip(norm, trips, None)
            if trip is not None:
                return Reply(tool="select_trip", args={"trip_id": trip.id})
        city = self._find_city(text)
        if city is not None:
            cats = self.finder.categories_in(text)[:4]
            queries = [f"{_plural(c)} in {city.name}" for c in cats] or [
                f"top sights in {city.name}"
            ]
            return Reply(tool="search_for_places", args={"queries": queries})
        planning = re.search(r"\b(trip|plan|visit|travel|go|going|holiday|vacation)\b", norm)
        where = re.search(r"\b(?:to|in|visit|visiting)\s+(?P<where>[^,.!?]+)", text, re.I)
        if planning and where:
            return Reply(
                text=f"I could not find that place: {where['where'].strip()}. Check the "
                'spelling, or try a well-known city, for example "Plan a trip to Lisbon".'
            )
        if re.search(r"\b(trip|plan|travel|vacation|holiday|visit)\b", norm):
            return Reply(text=ASK_WHERE)
        return Reply(text="Sorry, I didn't understand that.\n\n" + HELP)

    def _after_tool(
        self,
        result: ToolMessage,
        messages: list[BaseMessage],
        request: str,
        trips: list[Trip],
        selected: str | None,
    ) -> Reply:
        content = _text(result)
        if result.status == "error":
            return Reply(text=f"Sorry, I could not do that: {content}")
        if result.name == "search_for_places":
            return self._after_search(content, request, trips, selected)
        if result.name == "select_trip":
            trip = next((t for t in trips if t.id == selected), None)
            return Reply(text=f"Now showing {trip.name} on the map." if trip else "Done.")
        decision = (result.artifact or {}).get("decision") if result.artifact else None
        if decision == "cancelled":
            return Reply(text="OK, I won't make that change. What would you like to do instead?")
        trip = next((t for t in trips if t.id == selected), None)
        if result.name == "delete_trips":
            return Reply(text="Done: the trip is deleted. " + _describe(trips, selected))
        if trip is None:
            return Reply(text="Done.")
        verb = "added" if result.name == "add_trips" else "updated"
        some = " with the places you picked" if decision == "partial" else ""
        return Reply(
            text=f"Done: I {verb} **{trip.name}**{some}. It has {len(trip.places)} places "
            "and is on the map now. Anything else you would like to change?"
        )

    def _after_search(
        self, content: str, request: str, trips: list[Trip], selected: str | None
    ) -> Reply:
        try:
            results = json.loads(content)["results"]
        except (ValueError, KeyError, TypeError):
            return Reply(text="Place search gave me something I could not read; try again.")
        errors = [r["error"] for r in results if r.get("error")]
        seen: set[str] = set()
        places: list[Place] = []
        for r in results:
            for raw in r.get("places", []):
                place = Place.model_validate(raw)
                if place.id not in seen:
                    seen.add(place.id)
                    places.append(place)
        if not places:
            if errors:
                return Reply(text=errors[0] + " I won't make up places, so let's try later.")
            notes = "; ".join(r["note"] for r in results if r.get("note"))
            return Reply(text=f"I could not find any matching places. {notes}".strip())
        norm = fold(request)
        if m := re.search(r"\badd\b.+?\b(to|into)\b(?P<trip>.+)$", norm):
            trip = _find_trip(m["trip"], trips, selected)
            if trip is not None:
                have = {p.id for p in trip.places}
                new = [p for p in places if p.id not in have][:3]
                if not new:
                    return Reply(text=f"{trip.name} already has those places.")
                updated = trip.model_copy(update={"places": [*trip.places, *new]})
                return Reply(tool="update_trips", args={"trips": [updated.model_dump(mode="json")]})
        city = self._find_city(request)
        chosen = places[:MAX_PLACES]
        name = _trip_name(request, city)
        lat = city.latitude if city else sum(p.latitude for p in chosen) / len(chosen)
        lon = city.longitude if city else sum(p.longitude for p in chosen) / len(chosen)
        trip = Trip(
            id=_new_trip_id(city.name if city else "trip", trips),
            name=name,
            center_latitude=lat,
            center_longitude=lon,
            zoom=13,
            places=chosen,
        )
        return Reply(tool="add_trips", args={"trips": [trip.model_dump(mode="json")]})

    def _find_city(self, text: str) -> City | None:
        found = self.finder.find_city(text)
        if found is None:
            return None
        return City(found.name, found.country, found.latitude, found.longitude)

    def _city_of(self, trip: Trip) -> City | None:
        return self._find_city(trip.name)


def _to_message(chunk: AIMessageChunk) -> AIMessage:
    return AIMessage(content=chunk.content, tool_calls=chunk.tool_calls, id=chunk.id)


def _text(message: BaseMessage | None) -> str:
    if message is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    return " ".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in message.content
    )


def _words(text: str) -> set[str]:
    stop = {"the", "my", "a", "an", "trip", "to", "in", "of", "this", "that", "please", "for"}
    return {w for w in re.findall(r"[a-z0-9]+", fold(text)) if w not in stop and len(w) > 1}


def _find_trip(
    text: str, trips: list[Trip], selected: str | None, *, use_selected: bool = True
) -> Trip | None:
    """The trip a phrase names ("the Paris trip", "NYC"), else the selected one if allowed."""
    words = _words(text)
    best, score = None, 0
    for trip in trips:
        s = len(words & _words(trip.name))
        if s > score:
            best, score = trip, s
    if best is not None:
        return best
    if use_selected and re.search(r"\b(this|my|current|the)\b", fold(text)):
        return next((t for t in trips if t.id == selected), None)
    return None


def _find_places(text: str, trip: Trip) -> list[Place]:
    wanted = fold(re.sub(r"^\s*(the|a|an)\s+", "", text.strip()))
    exact = [p for p in trip.places if fold(p.name) == wanted]
    if exact:
        return exact
    return [p for p in trip.places if wanted and (wanted in fold(p.name) or fold(p.name) in wanted)]


def _which_trip(trips: list[Trip]) -> str:
    if not trips:
        return 'You have no trips yet. Try: "Plan a trip to Rome".'
    names = ", ".join(t.name for t in trips)
    return f"Which trip do you mean? You have: {names}."


def _describe(trips: list[Trip], selected: str | None) -> str:
    if not trips:
        return 'You have no trips yet. Try: "Plan a trip to Rome".'
    lines = ["Your trips:"]
    for t in trips:
        mark = " (on the map)" if t.id == selected else ""
        places = ", ".join(p.name for p in t.places) or "no places yet"
        lines.append(f"- **{t.name}**{mark}: {places}")
    return "\n".join(lines)


def _trip_name(request: str, city: City | None) -> str:
    where = city.name if city else "your destination"
    days = re.search(r"\b(\d{1,2})[- ]?days?\b", request, re.I)
    return f"{days.group(1)} days in {where}" if days else f"Trip to {where}"


def _new_trip_id(base: str, trips: list[Trip]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(base)).strip("-") or "trip"
    taken = {t.id for t in trips}
    n = 1
    while f"{slug}-{n}" in taken:
        n += 1
    return f"{slug}-{n}"


def _plural(word: str) -> str:
    """Category names read as people write them: "museums", "churches", "galleries"."""
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es" if not word.endswith("s") else word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"
