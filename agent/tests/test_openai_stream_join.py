"""Streamed chunks received together become one LangChain chunk, with the same answer.

A scripted OpenAI-compatible server on 127.0.0.1 sends OpenAI's documented streaming
chunks (role, text deltas, a tool call's id and name, argument pieces, the finish reason,
a usage chunk, `data: [DONE]`) either in one write or one event at a time, each released
only after the model handed on the chunk before it (so each arrives in a read of its own).
The provider's answer is compared with ChatOpenAI's on the SDK's own client."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from functools import reduce
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from operator import add
from typing import Any

import openai
import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_openai import ChatOpenAI
from openai._streaming import ServerSentEvent
from openai._utils import async_maybe_transform
from openai.types.chat.completion_create_params import CompletionCreateParamsStreaming
from pydantic import SecretStr

from travel_agent.errors import LLM_UNAVAILABLE
from travel_agent.llm.errors import classify_llm_error, describe_llm_error
from travel_agent.llm.openai_model import UNTRANSFORMED, build_openai_model
from travel_agent.llm.openai_stream import (
    JoiningSSEDecoder,
    ParsedEvent,
    StreamSilenceTimeout,
    join_events,
)
from travel_agent.settings import Settings

ARGS = json.dumps({"trips": [{"name": "Rome", "places": [{"name": "Colosseum"}] * 3}]})
USAGE = {"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42}


def _event(body: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(body)}\n\n".encode()


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return _event(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-x",
            "system_fingerprint": "fp_1",
            "choices": [choice],
            "usage": None,
        }
    )


def answer() -> list[bytes]:
    call = {"index": 0, "id": "call_1", "type": "function"}
    events = [_chunk({"role": "assistant", "content": "", "refusal": None})]
    events += [_chunk({"content": w}) for w in ["Here ", "is ", "a ", "plan."]]
    events.append(
        _chunk({"tool_calls": [{**call, "function": {"name": "add_trips", "arguments": ""}}]})
    )
    for i in range(0, len(ARGS), 9):
        piece = {"index": 0, "function": {"arguments": ARGS[i : i + 9]}}
        events.append(_chunk({"tool_calls": [piece]}))
    events.append(_chunk({}, finish="tool_calls"))
    usage = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1}
    events.append(_event({**usage, "model": "gpt-x", "choices": [], "usage": USAGE}))
    events.append(b"data: [DONE]\n\n")
    return events


class ScriptedServer:
    """Answers every chat completion with `events`: in one write, or (trickle) each event
    once `release()` was called for it; `cut` closes the connection after that many;
    `keepalive` then sends only SSE comments, one every 50 ms, for up to 20 s."""

    def __init__(
        self, events: list[bytes], *, trickle: bool = False, cut: int = 0, keepalive: bool = False
    ) -> None:
        self.events = events
        self.gates = [threading.Semaphore(0) for _ in events]
        self.trickle = trickle
        self.bodies: list[bytes] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                if cut:  # more body declared than sent: the read fails mid-stream
                    self.send_header("Content-Length", str(len(b"".join(events))))
                self.end_headers()
                sent = events[:cut] if cut else events
                if not server.trickle:
                    self.wfile.write(b"".join(sent))
                    if keepalive:
                        self._keep_alive()
                    return
                for i, event in enumerate(sent):
                    if i and not server.gates[i].acquire(timeout=30):
                        return
                    self.wfile.write(event)

            def _keep_alive(self) -> None:
                for _ in range(400):
                    time.sleep(0.05)
                    try:
                        self.wfile.write(b": keepalive\n\n")
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.released = 0

    def release(self) -> None:
        self.released += 1
        if self.released < len(self.gates):
            self.gates[self.released].release()

    def __enter__(self) -> ScriptedServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        for gate in self.gates:
            gate.release()
        self.httpd.shutdown()
        self.httpd.server_close()


def provider(url: str, **settings_values: Any) -> ChatOpenAI:
    settings = Settings(
        _env_file=None,
        llm_provider="openai",
        openai_api_key=SecretStr("sk-test"),
        openai_base_url=url,
        travel_model="gpt-x",
        llm_max_retries=0,
        **settings_values,
    )
    return build_openai_model(settings)


def library(url: str) -> ChatOpenAI:
    return ChatOpenAI(
        model="gpt-x", api_key=SecretStr("sk-test"), base_url=url, stream_usage=True, max_retries=0
    )


async def chunks_of(model: ChatOpenAI, server: ScriptedServer) -> list[BaseMessageChunk]:
    out = []
    async for chunk in model.astream([HumanMessage("Plan a trip to Rome")]):
        out.append(chunk)
        server.release()
    return out


@pytest.fixture
def reference() -> Iterator[list[BaseMessageChunk]]:
    with ScriptedServer(answer()) as server:
        yield asyncio.run(chunks_of(library(server.url), server))


def same_answer(got: list[BaseMessageChunk], expected: list[BaseMessageChunk]) -> None:
    message, wanted = reduce(add, got), reduce(add, expected)
    assert isinstance(message, AIMessageChunk) and isinstance(wanted, AIMessageChunk)
    assert message.content == wanted.content == "Here is a plan."
    assert message.tool_calls == wanted.tool_calls
    assert message.tool_calls[0]["args"] == json.loads(ARGS)
    assert message.tool_call_chunks == wanted.tool_call_chunks
    assert message.usage_metadata == wanted.usage_metadata
    assert message.usage_metadata is not None and message.usage_metadata["total_tokens"] == 42
    assert message.response_metadata == wanted.response_metadata


async def test_chunks_received_together_are_one_chunk_with_the_same_answer(
    reference: list[BaseMessageChunk],
) -> None:
    with ScriptedServer(answer()) as server:
        got = await chunks_of(provider(server.url), server)

    same_answer(got, reference)
    assert len(got) < len(reference)
    # The call's first chunk (id and name, what AG-UI starts the call from), the finish
    # reason and the usage stay chunks of their own.
    starts = [c for c in got if isinstance(c, AIMessageChunk) and c.tool_call_chunks]
    assert starts[0].tool_call_chunks[0]["name"] == "add_trips"
    assert starts[0].tool_call_chunks[0]["args"] == ""
    finish = [c for c in got if c.response_metadata.get("finish_reason")]
    assert [c.content for c in finish] == [""]
    usage = [c for c in got if isinstance(c, AIMessageChunk) and c.usage_metadata]
    assert [(c.content, c.tool_call_chunks) for c in usage] == [("", [])]


async def test_a_trickling_stream_is_handed_on_chunk_by_chunk(
    reference: list[BaseMessageChunk],
) -> None:
    with ScriptedServer(answer(), trickle=True) as server:
        got = await chunks_of(provider(server.url), server)

    same_answer(got, reference)
    assert [c.content for c in got] == [c.content for c in reference]
    assert [getattr(c, "tool_call_chunks", None) for c in got] == [
        getattr(c, "tool_call_chunks", None) for c in reference
    ]


@pytest.mark.parametrize("trickle", [False, True])
async def test_an_error_inside_the_stream_is_the_sdks_error(trickle: bool) -> None:
    events = answer()[:4]
    events.append(_event({"error": {"message": "The server had an error", "type": "server"}}))
    errors = []
    for make in (provider, library):
        with ScriptedServer(events, trickle=trickle) as server:
            model = make(server.url)
            got: list[BaseMessageChunk] = []
            with pytest.raises(openai.APIError) as raised:
                async for chunk in model.astream([HumanMessage("Plan a trip")]):
                    got.append(chunk)
                    server.release()
            errors.append(
                (type(raised.value), str(raised.value), "".join(str(c.content) for c in got))
            )
    assert errors[0] == errors[1]
    assert errors[0][1:] == ("The server had an error", "Here is a ")


async def test_a_dropped_connection_is_the_sdks_error() -> None:
    raised = []
    for make in (provider, library):
        with ScriptedServer(answer(), cut=3) as server:
            model = make(server.url)
            with pytest.raises(openai.APIError) as error:
                async for _ in model.astream([HumanMessage("Plan a trip")]):
                    pass
            raised.append(type(error.value))
    assert raised[0] == raised[1]


async def test_a_stream_of_keep_alives_only_ends_after_the_read_timeout() -> None:
    """Keep-alive comments reset the read timeout; the decoder's bound on time without an
    event ends the stream (LangChain's per-chunk `wait_for` is off)."""
    with ScriptedServer(answer()[:3], keepalive=True) as server:
        model = provider(server.url, llm_timeout_seconds=0.5)
        assert model.stream_chunk_timeout is None
        got: list[BaseMessageChunk] = []
        with pytest.raises(StreamSilenceTimeout) as raised:
            async for chunk in model.astream([HumanMessage("Plan a trip")]):
                got.append(chunk)
    assert "".join(str(c.content) for c in got) == "Here is "
    assert raised.value.seconds == 0.5
    assert classify_llm_error(raised.value) == "timeout"
    assert describe_llm_error(raised.value) == LLM_UNAVAILABLE


async def test_the_bound_counts_waiting_for_an_event_not_the_whole_stream(
    reference: list[BaseMessageChunk],
) -> None:
    """A stream longer than the bound whose events keep coming (here: each released after
    the model's reader spent 0.1 s on the chunk before) is not cut."""
    with ScriptedServer(answer(), trickle=True) as server:
        model = provider(server.url, llm_timeout_seconds=0.4)
        got: list[BaseMessageChunk] = []
        async for chunk in model.astream([HumanMessage("Plan a trip to Rome")]):
            got.append(chunk)
            if len(got) <= 8:
                await asyncio.sleep(0.1)
            server.release()
    same_answer(got, reference)


def test_lines_and_events_split_across_reads_are_decoded_like_the_sdk() -> None:
    body = b"".join(answer()).replace(b"\n", b"\r\n")
    reads = [body[i : i + 7] for i in range(0, len(body), 7)]
    events = list(JoiningSSEDecoder().iter_bytes(iter(reads)))
    assert [e.data for e in events] == [e.decode().removeprefix("data: ").strip() for e in answer()]
    # Read 7 bytes at a time, nothing is received together: every event on its own.
    assert len(events) == len(answer())
    assert events[-1].data == "[DONE]"
    # All in one read: the text deltas and the argument pieces joined.
    joined = list(JoiningSSEDecoder().iter_bytes(iter([body])))
    values = [e.json() for e in joined[:-1]]
    assert values[0]["choices"][0]["delta"]["content"] == "Here is a plan."
    assert values[2]["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"] == ARGS
    assert len(joined) == 6  # text, call start, arguments, finish, usage, [DONE]


def test_an_event_received_alone_is_handed_on_as_among_others() -> None:
    alone = [ServerSentEvent(data=e.decode().removeprefix("data: ").strip()) for e in answer()]
    alone += [ServerSentEvent(data="{not json"), ServerSentEvent(event="ping", data="{}")]
    done = ServerSentEvent(data="[DONE]")
    for event in alone:
        (single,) = join_events([event])
        first = next(join_events([event, done]))
        assert (type(single), single.event, single.data) == (type(first), first.event, first.data)
        if isinstance(single, ParsedEvent):
            assert single.json() == first.json()


SEARCH_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "search_for_places",
        "description": "Search for places.",
        "parameters": {
            "type": "object",
            "properties": {"queries": {"type": "array", "items": {"type": "string"}}},
        },
    },
}
CONVERSATION = [
    SystemMessage("You plan trips."),
    HumanMessage("Plan a trip to Rome"),
    AIMessage("", tool_calls=[{"id": "call_1", "name": "search_for_places", "args": {}}]),
    ToolMessage('{"places": []}', tool_call_id="call_1"),
]


async def test_the_request_body_is_the_one_chatopenai_sends() -> None:
    with ScriptedServer(answer()) as server:
        for make in (provider, library):
            model = make(server.url).bind_tools([SEARCH_TOOL], parallel_tool_calls=False)
            async for _ in model.astream(CONVERSATION):
                pass
    sent, expected = server.bodies
    assert sent == expected
    assert len(json.loads(sent)["messages"]) == 4


async def test_the_sdks_transform_gives_back_what_chatopenai_builds() -> None:
    """What `_send_as_built` relies on: skipping `transform` for messages and tools
    changes nothing."""
    model = library("http://127.0.0.1:9/v1").bind_tools([SEARCH_TOOL])
    payload = model.bound._get_request_payload(CONVERSATION, **model.kwargs)  # type: ignore[attr-defined]
    params = {k: payload[k] for k in UNTRANSFORMED}
    assert await async_maybe_transform(params, CompletionCreateParamsStreaming) == params
