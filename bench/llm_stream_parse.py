"""Benchmark: CPU of reading one streamed chat completion with ChatOpenAI, with the SDK's
default client (a `ChatCompletionChunk` model per chunk) and with the provider's
`ChunkDictClient` (chunks stay dicts), alternately, in this process.

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
from typing import Any

import openai
from agent_turn import upstreams
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_openai import ChatOpenAI

from travel_agent.llm.openai_model import ChunkDictClient

HISTORY = [
    HumanMessage(content="Plan a trip to Rome"),
    AIMessage(
        content="",
        tool_calls=[{"id": "call_search", "name": "search_for_places", "args": {"queries": []}}],
    ),
    ToolMessage(content="(results)", tool_call_id="call_search"),
]


def model(base_url: str, client_class: type[openai.AsyncOpenAI]) -> ChatOpenAI:
    client = client_class(api_key="sk-bench", base_url=base_url, max_retries=0)
    return ChatOpenAI(
        model="gpt-bench",
        api_key="sk-bench",
        base_url=base_url,
        streaming=True,
        stream_usage=True,
        root_async_client=client,
        async_client=client.chat.completions,
    )


async def cpu_per_call(chat: ChatOpenAI, calls: int) -> tuple[float, Any]:
    reply = await chat.ainvoke(HISTORY)  # warm: connection, caches
    start = time.process_time()
    for _ in range(calls):
        reply = await chat.ainvoke(HISTORY)
    return (time.process_time() - start) * 1000 / calls, reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {"sdk models": [], "dict chunks": []}
    with upstreams() as url:
        base = f"{url}/v1"
        for _ in range(args.rounds):
            sdk_ms, sdk_reply = asyncio.run(
                cpu_per_call(model(base, openai.AsyncOpenAI), args.calls)
            )
            dict_ms, dict_reply = asyncio.run(
                cpu_per_call(model(base, ChunkDictClient), args.calls)
            )
            # Same message either way (ids differ per completion).
            assert sdk_reply.tool_calls == dict_reply.tool_calls
            assert sdk_reply.usage_metadata == dict_reply.usage_metadata
            figures["sdk models"].append(sdk_ms)
            figures["dict chunks"].append(dict_ms)
            print(
                f"sdk models {sdk_ms:.2f} ms/call | dict chunks {dict_ms:.2f} ms/call", flush=True
            )
    for name, values in figures.items():
        print(f"median {name}: {statistics.median(values):.2f} ms CPU per streamed call")


if __name__ == "__main__":
    main()
