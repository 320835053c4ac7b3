"""The OpenAI-compatible chat model against a real OpenAI-compatible server process
(aimock): streamed tool calls, retries, timeouts, a wrong key, token usage."""

from __future__ import annotations

import json
import logging
from functools import reduce
from operator import add
from typing import Any

import openai
import pytest
from aimock_pytest._server import AIMockServer
from langchain_core.messages import AIMessageChunk, HumanMessage
from prometheus_client import REGISTRY
from pydantic import SecretStr

from travel_agent.llm.errors import (
    LLM_BAD_KEY,
    LLM_UNAVAILABLE,
    LLM_UNKNOWN_MODEL,
    classify_llm_error,
    describe_llm_error,
)
from travel_agent.llm.openai_model import build_openai_model
from travel_agent.llm.usage import LLMUsageRecorder
from travel_agent.settings import Settings

from agent_kit import LLM_TEST_KEY

SEARCH_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "search_for_places",
        "description": "Search for places for one or more queries.",
        "parameters": {
            "type": "object",
            "properties": {"queries": {"type": "array", "items": {"type": "string"}}},
            "required": ["queries"],
        },
    },
}
QUERIES = {"queries": ["museums in Rome", "old churches in Rome", "viewpoints in Rome"]}


def settings_for(llm: AIMockServer, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_provider": "openai",
        "openai_api_key": SecretStr(LLM_TEST_KEY),
        "openai_base_url": f"{llm.base_url}/v1",
        "travel_model": "gpt-test-mini",
        "llm_max_retries": 2,
        "llm_timeout_seconds": 10,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def chat_requests(llm: AIMockServer) -> list[dict[str, Any]]:
    return [e for e in llm.get_journal() if e["path"] == "/v1/chat/completions"]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_streamed_tool_call_fragments_are_assembled(llm: AIMockServer) -> None:
    llm.add_fixture(
        {"userMessage": "Plan a trip to Rome"},
        {"toolCalls": [{"name": "search_for_places", "arguments": QUERIES}]},
        chunkSize=7,  # arguments arrive a few characters at a time
    )
    model = build_openai_model(settings_for(llm)).bind_tools(
        [SEARCH_TOOL], parallel_tool_calls=False
    )

    chunks = [c async for c in model.astream([HumanMessage("Plan a trip to Rome")])]

    fragments = [
        tc["args"]
        for c in chunks
        if isinstance(c, AIMessageChunk)
        for tc in c.tool_call_chunks
        if tc["args"]
    ]
    # Pieces that arrived together are joined into one (openai_stream.JoiningSSEDecoder).
    assert fragments and json.loads("".join(fragments)) == QUERIES
    message = reduce(add, chunks)
    assert isinstance(message, AIMessageChunk)
    [call] = message.tool_calls
    assert call["name"] == "search_for_places"
    assert call["args"] == QUERIES

    [request] = chat_requests(llm)
    body = request["body"]
    assert body["model"] == "gpt-test-mini"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["parallel_tool_calls"] is False
    assert [t["function"]["name"] for t in body["tools"]] == ["search_for_places"]


async def test_ainvoke_streams_and_returns_the_whole_tool_call(llm: AIMockServer) -> None:
    # The graph calls `ainvoke`; with streaming on, that too goes over the stream.
    llm.add_fixture(
        {"userMessage": "Plan a trip to Rome"},
        {"toolCalls": [{"name": "search_for_places", "arguments": QUERIES}]},
        chunkSize=5,
    )
    model = build_openai_model(settings_for(llm)).bind_tools(
        [SEARCH_TOOL], parallel_tool_calls=False
    )
    message = await model.ainvoke([HumanMessage("Plan a trip to Rome")])
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("search_for_places", QUERIES)]
    assert chat_requests(llm)[0]["body"]["stream"] is True


async def test_a_500_is_retried_then_succeeds(
    llm: AIMockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="openai")
    llm.next_error(500, {"message": "The server had an error while processing your request."})
    llm.on_message("hello", {"content": "Ciao! Where would you like to go?"})

    message = await build_openai_model(settings_for(llm)).ainvoke([HumanMessage("hello")])

    assert message.content == "Ciao! Where would you like to go?"
    assert [r["response"]["status"] for r in chat_requests(llm)] == [500, 200]
    # The SDK's backoff: 0.5 s less up to 25% jitter before the first retry.
    [retry] = [r for r in caplog.records if r.getMessage().startswith("Retrying request in")]
    wait = float(retry.getMessage().split()[3])
    assert 0.375 <= wait <= 0.5


async def test_a_429_waits_as_long_as_retry_after_says(
    llm: AIMockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="openai")
    llm.add_fixture(
        {"userMessage": "hello", "sequenceIndex": 0},
        {
            "error": {"message": "Rate limit reached for requests", "type": "requests"},
            "status": 429,
            "retryAfter": 1,
        },
    )
    llm.add_fixture(
        {"userMessage": "hello", "sequenceIndex": 1}, {"content": "Ciao after waiting."}
    )

    message = await build_openai_model(settings_for(llm)).ainvoke([HumanMessage("hello")])

    assert message.content == "Ciao after waiting."
    assert [r["response"]["status"] for r in chat_requests(llm)] == [429, 200]
    [retry] = [r for r in caplog.records if r.getMessage().startswith("Retrying request in")]
    assert float(retry.getMessage().split()[3]) == 1.0  # Retry-After: 1, not the backoff


async def test_errors_that_persist_end_in_the_friendly_sentence(llm: AIMockServer) -> None:
    for _ in range(2):
        llm.next_error(503, {"message": "The engine is currently overloaded."})
    model = build_openai_model(settings_for(llm, llm_max_retries=1))

    with pytest.raises(openai.InternalServerError) as caught:
        await model.ainvoke([HumanMessage("hello")])

    assert len(chat_requests(llm)) == 2  # bounded: one try, one retry
    assert describe_llm_error(caught.value) == LLM_UNAVAILABLE


async def test_read_timeout_is_retried_then_reported(llm: AIMockServer) -> None:
    # The server takes 3 s before each chunk; the read timeout is half a second.
    llm.on_message("slow", {"content": "This answer comes too late."}, latency=3000)
    model = build_openai_model(settings_for(llm, llm_timeout_seconds=0.5, llm_max_retries=1))

    with pytest.raises(Exception) as caught:
        await model.ainvoke([HumanMessage("slow")])

    assert classify_llm_error(caught.value) == "timeout"
    assert describe_llm_error(caught.value) == LLM_UNAVAILABLE
    assert len(chat_requests(llm)) == 2


async def test_wrong_key_is_named_but_never_echoed(
    llm: AIMockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "sk-wrong-0123456789abcdef"
    llm.on_message("hello", {"content": "You should not see this."})
    errors_before = sample("travel_llm_requests_total", provider="openai", outcome="error")
    auth_before = sample("travel_llm_errors_total", provider="openai", kind="auth")
    model = build_openai_model(settings_for(llm, openai_api_key=SecretStr(wrong)))

    with pytest.raises(openai.AuthenticationError) as caught:
        await model.ainvoke([HumanMessage("hello")])

    assert describe_llm_error(caught.value) == LLM_BAD_KEY
    assert wrong not in LLM_BAD_KEY and wrong not in caplog.text
    # aimock rejects the key before its journal; the client's log shows one request only.
    sent = [r for r in caplog.records if r.getMessage().startswith("HTTP Request: POST")]
    assert len(sent) == 1 and "401 Unauthorized" in sent[0].getMessage()
    assert sample("travel_llm_requests_total", provider="openai", outcome="error") == (
        errors_before + 1
    )
    assert sample("travel_llm_errors_total", provider="openai", kind="auth") == auth_before + 1


async def test_unknown_model_gets_its_own_sentence(llm: AIMockServer) -> None:
    llm.add_fixture(
        {"model": "llama-not-pulled"},
        {
            "error": {
                "message": "The model `llama-not-pulled` does not exist.",
                "type": "invalid_request_error",
                "code": "model_not_found",
            },
            "status": 404,
        },
    )
    model = build_openai_model(settings_for(llm, travel_model="llama-not-pulled"))
    with pytest.raises(openai.NotFoundError) as caught:
        await model.ainvoke([HumanMessage("hello")])
    assert describe_llm_error(caught.value) == LLM_UNKNOWN_MODEL


async def test_usage_is_recorded_per_call(
    llm: AIMockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="travel_agent.llm")
    llm.on_message(
        "hello",
        {"content": "Ciao!", "usage": {"prompt_tokens": 42, "completion_tokens": 7}},
    )
    before = {
        kind: sample("travel_llm_tokens_total", provider="openai", kind=kind)
        for kind in ("input", "output")
    }
    ok_before = sample("travel_llm_requests_total", provider="openai", outcome="ok")
    durations_before = sample("travel_llm_request_duration_seconds_count", provider="openai")
    model = build_openai_model(settings_for(llm))

    await model.ainvoke([HumanMessage("hello")], {"metadata": {"thread_id": "t-usage"}})

    [recorder] = model.callbacks  # attached by build_openai_model
    assert isinstance(recorder, LLMUsageRecorder)
    assert (recorder.input_tokens, recorder.output_tokens, recorder.calls) == (42, 7, 1)
    assert sample("travel_llm_tokens_total", provider="openai", kind="input") == (
        before["input"] + 42
    )
    assert sample("travel_llm_tokens_total", provider="openai", kind="output") == (
        before["output"] + 7
    )
    assert sample("travel_llm_requests_total", provider="openai", outcome="ok") == ok_before + 1
    assert (
        sample("travel_llm_request_duration_seconds_count", provider="openai")
        == durations_before + 1
    )
    [line] = [r for r in caplog.records if r.getMessage() == "llm_usage"]
    assert line.name == "travel_agent.llm"
    assert (line.input_tokens, line.output_tokens) == (42, 7)  # type: ignore[attr-defined]
    assert line.model == "gpt-test-mini"  # type: ignore[attr-defined]
    assert line.thread_id == "t-usage"  # type: ignore[attr-defined]


def test_model_settings_reach_the_client(llm: AIMockServer) -> None:
    model = build_openai_model(
        settings_for(llm, llm_timeout_seconds=42, llm_connect_timeout_seconds=3)
    )
    client = model.root_async_client
    assert client is not None
    assert (client.timeout.connect, client.timeout.read) == (3, 42)
    assert client.max_retries == 2
    assert model.streaming is True and model.stream_usage is True
