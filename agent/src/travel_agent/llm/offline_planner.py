"""The offline planner: a deterministic chat model that needs no network.

It reads what an LLM would read (the system prompt with the trips, the conversation, tool
results) and answers with the same tool calls an LLM would make, streamed the way OpenAI
streams them, so it runs through the very same graph. The grammar (intents, slots,
replies) is in `llm/planner/`; the requests it understands are in its HELP and the README.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, ClassVar

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
from pydantic import ConfigDict, Field

from ..models import Trip
from ..prompts import trips_from_prompt
from ..tools import tool_specs
from .planner.replies import HELP, Reply
from .planner.requests import Parsed, Tools, on_request, parse
from .planner.results import _results, after_change, after_search, notes_of
from .planner.slots import Finder

__all__ = ["HELP", "CityFinder", "OfflinePlanner", "Reply", "StreamsLikeOpenAI"]

ARG_FRAGMENT = 160  # characters of tool-call arguments per streamed chunk
CityFinder = Finder


def _default_tools() -> Tools:
    return Tools.from_specs(tool_specs())


class StreamsLikeOpenAI(BaseChatModel):
    """A chat model that decides its whole answer at once (`answer`) and streams it the way
    OpenAI streams, which is what the AG-UI LangGraph integration expects: per tool call
    its name with empty arguments, then the arguments in fragments; text a few words a
    chunk. The offline planner is one; the tests' scripted model is another.

    With `in_pieces` off the answer goes over in the fewest chunks the AG-UI translation
    reads the same way: per tool call one chunk with its id and name (AG-UI ignores
    arguments on a call's first chunk) and one with all its arguments; the text in one."""

    in_pieces: ClassVar[bool] = True

    def answer(self, messages: list[BaseMessage]) -> AIMessage:
        raise NotImplementedError

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.answer(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in _chunks(self.answer(messages), self.in_pieces):
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
        for chunk in _chunks(self.answer(messages), self.in_pieces):
            if run_manager and isinstance(chunk.content, str) and chunk.content:
                await run_manager.on_llm_new_token(chunk.content)
            yield ChatGenerationChunk(message=chunk)


def _chunks(message: AIMessage, in_pieces: bool) -> Iterator[AIMessageChunk]:
    for index, call in enumerate(message.tool_calls):
        yield AIMessageChunk(
            content="",
            tool_call_chunks=[{"name": call["name"], "args": "", "id": call["id"], "index": index}],
        )
        args = json.dumps(call["args"], ensure_ascii=False)  # at least "{}"
        fragment = ARG_FRAGMENT if in_pieces else len(args)
        for i in range(0, len(args), fragment):
            yield AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {"name": None, "args": args[i : i + fragment], "id": None, "index": index}
                ],
            )
    if message.tool_calls and not message.content:
        return
    if not in_pieces:
        yield AIMessageChunk(content=str(message.content))
        return
    words = re.findall(r"\S+\s*|\s+", str(message.content)) or [""]
    for i in range(0, len(words), 3):
        yield AIMessageChunk(content="".join(words[i : i + 3]))


class OfflinePlanner(StreamsLikeOpenAI):
    """A rule-based planner with the interface of a LangChain chat model. Its answer is
    whole at once, so it goes over in the fewest chunks (see `StreamsLikeOpenAI`)."""

    in_pieces: ClassVar[bool] = False

    model_config = ConfigDict(arbitrary_types_allowed=True)
    finder: Any  # CityFinder; typed loosely because pydantic cannot validate a Protocol
    tools: Tools = Field(default_factory=_default_tools)

    @property
    def _llm_type(self) -> str:
        return "offline-planner"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        # The tools on offer decide whether day plans can be asked for.
        return self.model_copy(update={"tools": Tools.from_specs(tools)})

    def answer(self, messages: list[BaseMessage]) -> AIMessage:
        reply = self.respond(messages)
        if not reply.tool:
            return AIMessage(content=reply.text)
        call_id = f"call_{uuid.uuid4().hex[:24]}"
        return AIMessage(
            content="", tool_calls=[{"name": reply.tool, "args": reply.args or {}, "id": call_id}]
        )

    # -- the planner ------------------------------------------------------------------
    def respond(self, messages: list[BaseMessage]) -> Reply:
        system = next((m for m in messages if isinstance(m, SystemMessage)), None)
        prompt = _text(system)
        trips, selected = _trips_of(prompt) if system else ([], None)
        at = next(
            (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)),
            None,
        )
        text = _text(messages[at]) if at is not None else ""
        text = _with_answer(messages, at, text)
        today = dt.datetime.now(dt.UTC).date()
        last = messages[-1] if messages else None
        if not isinstance(last, ToolMessage):
            parsed, reply = on_request(text, trips, selected, self.finder, self.tools, today)
            _remember((prompt, text, today), parsed)
            return reply
        if last.status == "error":
            return Reply(text=f"Sorry, I could not do that: {_text(last)}")
        # After a search the trips are those the request was read with: reuse that reading.
        parsed = _PARSES.get((prompt, text, today)) or parse(text, trips, self.finder, today)
        if last.name == "search_for_places":
            return after_search(_text(last), parsed, trips, selected, self.tools)
        if last.name == "select_trip":
            trip = next((t for t in trips if t.id == selected), None)
            return Reply(text=f"Now showing {trip.name} on the map." if trip else "Done.")
        notes: list[str] = []
        for m in messages[(at or 0) :]:
            if isinstance(m, ToolMessage) and m.name == "search_for_places":
                notes = notes_of(_results(_text(m)) or [])
        artifact = last.artifact if isinstance(last.artifact, dict) else None
        return after_change(str(last.name), artifact, parsed, trips, selected, notes)


# Readings of recent requests, keyed by (system prompt, request, day): the search step of
# a turn reads the same request against the same trips again. Bounded; per process.
_PARSES: OrderedDict[tuple[str, str, dt.date], Parsed] = OrderedDict()
_PARSES_KEPT = 256


# The trips of recent system prompts: a turn's every model call reads the same trips (a
# plan turn's search step, an approval's answer), and validating them again cost more
# than the rest of the answer. The planner never changes a Trip (_PARSES keeps them too).
_TRIPS: OrderedDict[str, tuple[list[Trip], str | None]] = OrderedDict()
_TRIPS_KEPT = 64


def _trips_of(prompt: str) -> tuple[list[Trip], str | None]:
    known = _TRIPS.get(prompt)
    if known is None:
        known = _TRIPS[prompt] = trips_from_prompt(prompt)
        while len(_TRIPS) > _TRIPS_KEPT:
            _TRIPS.popitem(last=False)
    else:
        _TRIPS.move_to_end(prompt)
    return list(known[0]), known[1]


def _remember(key: tuple[str, str, dt.date], parsed: Parsed) -> None:
    _PARSES[key] = parsed
    _PARSES.move_to_end(key)
    while len(_PARSES) > _PARSES_KEPT:
        _PARSES.popitem(last=False)


def _with_answer(messages: list[BaseMessage], at: int | None, text: str) -> str:
    """ "Spain" after "Which Valencia do you mean ...?" completes the earlier request."""
    if at is None or at < 2:
        return text
    asked = messages[at - 1]
    if not (
        isinstance(asked, AIMessage) and re.match(r"Which (?!trip).+ do you mean:", _text(asked))
    ):
        return text
    earlier = next((m for m in reversed(messages[: at - 1]) if isinstance(m, HumanMessage)), None)
    if earlier is None or len(text.split()) > 6:
        return text
    answer = re.sub(r"^(the one in|in|i mean|the)\s+", "", text.strip(), flags=re.I)
    return f"{_text(earlier)}, {answer}"


def _text(message: BaseMessage | None) -> str:
    if message is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    return " ".join(
        part.get("text", "") if isinstance(part, dict) else str(part) for part in message.content
    )
