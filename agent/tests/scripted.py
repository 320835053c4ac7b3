"""Test doubles at the boundary to services we cannot reach: an LLM that answers from a
script (as OpenAI would), and a places service that can be made slow."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable

from travel_agent.models import Place
from travel_agent.places.base import SearchResult


class ScriptedModel(BaseChatModel):
    """Answers each call with the next scripted message and records what it was shown."""

    script: list[AIMessage]
    seen: list[list[BaseMessage]]

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, Any]:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.seen.append(list(messages))
        reply = self.script.pop(0) if self.script else AIMessage(content="(script ended)")
        return ChatResult(generations=[ChatGeneration(message=reply)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # Streamed like OpenAI: tool name first with empty arguments, then the arguments.
        reply = self._generate(messages).generations[0].message
        assert isinstance(reply, AIMessage)
        for i, tc in enumerate(reply.tool_calls):
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=[{"name": tc["name"], "args": "", "id": tc["id"], "index": i}],
                )
            )
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        {"name": None, "args": json.dumps(tc["args"]), "id": None, "index": i}
                    ],
                )
            )
        if reply.content:
            yield ChatGenerationChunk(message=AIMessageChunk(content=reply.content))


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
