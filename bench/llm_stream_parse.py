"""Benchmark: CPU of one streamed chat completion read the way a turn reads it (the model
called inside a graph node, under `astream_events`, with the usage recorder attached),
for three clients, alternately, in this process:

- `sdk models`: ChatOpenAI with the SDK's default client (a `ChatCompletionChunk` model
  per chunk) and a recorder gathered as a task per token (before issue 15);
- `dict chunks`: the same with the provider's `ChunkDictClient` (chunks stay dicts) but
  the SDK's own SSE decoder (one chunk per event, as before the joining);
- `provider`: what `build_openai_model` builds now (dict chunks, argument pieces not
  parsed per chunk, the recorder in line, chunks received together joined into one).

It also prints how many chunks the model handed on per call (the scripted answer has 57).

The answer comes from `bench/scripted_upstreams.py` (the `add_trips` call of a "Plan a
trip" turn: about 60 chunks). CPU is this process's `time.process_time()` around the
calls, so the other work on the machine changes it less than wall time.

    .venv/bin/python bench/llm_stream_parse.py [--calls 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
from agent_turn import upstreams
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langchain_openai import ChatOpenAI
from openai._streaming import SSEBytesDecoder, SSEDecoder
from pydantic import SecretStr

from travel_agent.llm.openai_model import ChunkDictClient, build_openai_model
from travel_agent.llm.usage import LLMUsageRecorder
from travel_agent.settings import Settings

HISTORY = [
    HumanMessage(content="Plan a trip to Rome"),
    AIMessage(
        content="",
        tool_calls=[{"id": "call_search", "name": "search_for_places", "args": {"queries": []}}],
    ),
    ToolMessage(content="(results)", tool_call_id="call_search"),
]


class DictChunksOnly(ChunkDictClient):
    """`ChunkDictClient` before chunks received together were joined."""

    def _make_sse_decoder(self) -> SSEDecoder | SSEBytesDecoder:
        return SSEDecoder()


class GatheredRecorder(LLMUsageRecorder):
    run_inline = False  # as the recorder ran before issue 15: a task per token


def library(client_class: type[openai.AsyncOpenAI]) -> Callable[[str], ChatOpenAI]:
    def make(base_url: str) -> ChatOpenAI:
        client = client_class(api_key="sk-bench", base_url=base_url, max_retries=0)
        return ChatOpenAI(
            model="gpt-bench",
            api_key=SecretStr("sk-bench"),
            base_url=base_url,
            streaming=True,
            stream_usage=True,
            root_async_client=client,
            async_client=client.chat.completions,
            callbacks=[GatheredRecorder("bench")],
        )

    return make


def provider(base_url: str) -> ChatOpenAI:
    settings = Settings(
        _env_file=None,
        llm_provider="openai",
        openai_api_key=SecretStr("sk-bench"),
        openai_base_url=base_url,
        travel_model="gpt-bench",
        llm_max_retries=0,
    )
    return build_openai_model(settings)


VARIANTS: dict[str, Callable[[str], ChatOpenAI]] = {
    "sdk models": library(openai.AsyncOpenAI),
    "dict chunks": library(DictChunksOnly),
    "provider": provider,
}


async def cpu_per_call(chat: ChatOpenAI, calls: int) -> tuple[float, Any, float]:
    replies: list[Any] = []
    streamed = 0

    async def node(messages: list[Any], config: RunnableConfig) -> Any:
        reply = await chat.ainvoke(messages, config)
        replies.append(reply)
        return reply

    graph_node = RunnableLambda(node)

    async def one() -> None:
        nonlocal streamed
        async for event in graph_node.astream_events(HISTORY, version="v2"):
            streamed += event["event"] == "on_chat_model_stream"

    await one()  # warm: connection, caches
    streamed = 0
    start = time.process_time()
    for _ in range(calls):
        await one()
    cpu = (time.process_time() - start) * 1000 / calls
    await chat.root_async_client.close()  # in this event loop, not at garbage collection
    return cpu, replies[-1], streamed / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {name: [] for name in VARIANTS}
    chunks: dict[str, float] = {}
    with upstreams() as url:
        base = f"{url}/v1"
        for _ in range(args.rounds):
            replies = {}
            for name, make in VARIANTS.items():
                ms, replies[name], chunks[name] = asyncio.run(cpu_per_call(make(base), args.calls))
                figures[name].append(ms)
            # Same message every way (ids differ per completion).
            first, *others = replies.values()
            assert all(r.tool_calls == first.tool_calls for r in others)
            assert all(r.usage_metadata == first.usage_metadata for r in others)
            print(
                " | ".join(
                    f"{n} {v[-1]:.2f} ms/call, {chunks[n]:.1f} chunks" for n, v in figures.items()
                ),
                flush=True,
            )
    for name, values in figures.items():
        print(f"median {name}: {statistics.median(values):.2f} ms CPU per streamed call")
    print("load", " ".join(Path("/proc/loadavg").read_text().split()[:3]))


if __name__ == "__main__":
    main()
