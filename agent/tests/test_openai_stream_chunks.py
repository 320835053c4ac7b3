"""The provider's lean conversion of streamed chunks gives what ChatOpenAI's own gives:
the same tool-call chunks per chunk (what AG-UI streams) and the same merged answer.

The chunks are shaped like OpenAI's documented `chat.completion.chunk` stream (role
first, the call's name and id, then argument pieces without either, the finish reason,
a usage chunk), as the SDK client parses them into dicts."""

from __future__ import annotations

import json
from functools import reduce
from operator import add
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_openai import ChatOpenAI

from travel_agent.llm.openai_model import StreamingChatOpenAI

ARGS = json.dumps({"trips": [{"name": "Rome", "places": [{"name": "Colosseum"}]}]})


def _chunk(delta: dict[str, Any] | None, finish: str | None = None) -> dict[str, Any]:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-x",
        "choices": choices,
    }


def stream() -> list[dict[str, Any]]:
    call = {"index": 0, "id": "call_1", "type": "function"}
    chunks = [
        _chunk({"role": "assistant", "content": "Here is a plan. "}),
        _chunk({"tool_calls": [{**call, "function": {"name": "add_trips", "arguments": ""}}]}),
    ]
    for i in range(0, len(ARGS), 7):
        piece = {"index": 0, "function": {"arguments": ARGS[i : i + 7]}}
        chunks.append(_chunk({"tool_calls": [piece]}))
    chunks.append(_chunk({}, finish="tool_calls"))
    usage = _chunk(None)
    usage["usage"] = {"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42}
    chunks.append(usage)
    return chunks


def converted(model: ChatOpenAI) -> list[AIMessageChunk]:
    out = []
    for raw in stream():
        generation = model._convert_chunk_to_generation_chunk(raw, AIMessageChunk, {})
        assert generation is not None
        assert isinstance(generation.message, AIMessageChunk)
        out.append(generation.message)
    return out


def test_lean_chunks_stream_and_merge_like_chatopenai() -> None:
    settings: dict[str, Any] = {"model": "gpt-x", "api_key": "sk-test"}
    lean = converted(StreamingChatOpenAI(**settings))
    library = converted(ChatOpenAI(**settings))

    assert [c.tool_call_chunks for c in lean] == [c.tool_call_chunks for c in library]
    assert [c.content for c in lean] == [c.content for c in library]
    assert [c.response_metadata for c in lean] == [c.response_metadata for c in library]
    merged, expected = reduce(add, lean), reduce(add, library)
    assert isinstance(merged, AIMessageChunk)
    assert merged.tool_calls == expected.tool_calls
    assert merged.tool_calls[0]["args"] == json.loads(ARGS)
    assert merged.usage_metadata == expected.usage_metadata
    assert merged.content == expected.content == "Here is a plan. "
