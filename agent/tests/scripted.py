"""Test doubles at the boundary to services we cannot reach: an LLM that answers from a
script (as OpenAI would), and a places service that can be made slow."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable

from travel_agent.llm.offline_planner import StreamsLikeOpenAI
from travel_agent.models import Place
from travel_agent.places.base import SearchResult


class ScriptedModel(StreamsLikeOpenAI):
    """Answers each call with the next scripted message and records what it was shown;
    streamed like OpenAI (tool name first with empty arguments, then the arguments)."""

    script: list[AIMessage]
    seen: list[list[BaseMessage]]

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, Any]:
        return self

    def answer(self, messages: list[BaseMessage]) -> AIMessage:
        self.seen.append(list(messages))
        return self.script.pop(0) if self.script else AIMessage(content="(script ended)")


def call(name: str, args: dict[str, Any], n: int = 0) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call-{n}"}])


class SlowPlaces:
    """A places service that answers only when released."""

    name = "slow"

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = asyncio.Event()

    async def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult:
        self.entered.set()
        await self.release.wait()
        place = Place(id="p1", name="Somewhere", latitude=1.0, longitude=2.0)
        return SearchResult(query=query, places=[place])

    async def aclose(self) -> None:
        return None


class RecordingPlaces:
    """A places service that records how it was asked and finds nothing."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[float, float] | None]] = []

    async def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult:
        self.calls.append((query, near))
        return SearchResult(query=query, note="nothing here")

    async def aclose(self) -> None:
        return None
