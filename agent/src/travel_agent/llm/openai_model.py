"""The chat model for `LLM_PROVIDER=openai`: any OpenAI-compatible endpoint (OpenAI, Azure
gateways, Ollama, vLLM, LM Studio, llama.cpp server) through LangChain's ChatOpenAI.

Retries are the openai SDK's own (`max_retries`): on connection errors, timeouts, 408, 409,
429 and 5xx it waits exponentially (0.5 s doubling, at most 8 s, minus up to 25% jitter),
or as long as the server's Retry-After says when that is at most two minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.request import getproxies

import openai
from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk, tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_openai import ChatOpenAI
from openai._streaming import SSEBytesDecoder, SSEDecoder
from openai.types.chat import ChatCompletionChunk
from pydantic import SecretStr

from ..settings import Settings
from .asyncio_network import AsyncioTransport
from .openai_stream import JoiningSSEDecoder
from .usage import LLMUsageRecorder

if TYPE_CHECKING:
    import httpx2  # the SDK's HTTP client (openai>=3)

# Local servers (Ollama, llama.cpp) ignore the key, but the SDK refuses to start without
# one. Against OpenAI this placeholder gets a 401, which the person sees as "check
# OPENAI_API_KEY".
NO_KEY = SecretStr("not-set")


class ChunkDictClient(openai.AsyncOpenAI):
    """The SDK's client, except that streamed chat-completion chunks stay the JSON dicts
    they were parsed into.

    ChatOpenAI turns every chunk into a dict anyway (`model_dump()` unless it already is
    one), so building a `ChatCompletionChunk` model per chunk first was most of the
    server's CPU per turn. Requests, retries, errors (also those sent inside the stream)
    and the SSE line and field decoding stay the SDK's. Streamed events received together
    are handed on at once, adjacent text deltas and argument pieces joined into one chunk
    (`openai_stream.JoiningSSEDecoder`), which also ends a stream that goes silent (no
    event, keep-alive comments at most) for as long as the read timeout.
    """

    def _make_sse_decoder(self) -> SSEDecoder | SSEBytesDecoder:
        timeout = self.timeout
        silence = timeout.read if isinstance(timeout, openai.Timeout) else timeout
        return JoiningSSEDecoder(silence=silence)

    def _process_response_data(
        self, *, data: object, cast_to: type[Any], response: httpx2.Response
    ) -> Any:
        if cast_to is ChatCompletionChunk and isinstance(data, dict):
            # A model would default a missing delta to None; ChatOpenAI indexes it.
            for choice in data.get("choices") or ():
                if isinstance(choice, dict):
                    choice.setdefault("delta", None)
            return data
        return super()._process_response_data(data=data, cast_to=cast_to, response=response)


def _argument_pieces(chunk: dict[str, Any]) -> list[ToolCallChunk] | None:
    """The tool-call chunks of a chunk whose calls only carry pieces of arguments (no name,
    no id: how OpenAI streams a call after its first chunk), else None."""
    choices = chunk.get("choices")
    delta = choices[0].get("delta") if choices else None
    calls = delta.get("tool_calls") if isinstance(delta, dict) else None
    if not calls:
        return None
    pieces: list[ToolCallChunk] = []
    for call in calls:
        function = call.get("function")
        if not isinstance(function, dict) or not isinstance(call.get("index"), int):
            return None  # ChatOpenAI's own handling of odd shapes applies
        if call.get("id") or function.get("name"):
            return None
        pieces.append(
            tool_call_chunk(name=None, args=function.get("arguments"), id=None, index=call["index"])
        )
    return pieces


class StreamingChatOpenAI(ChatOpenAI):
    """ChatOpenAI, except that a streamed piece of tool-call arguments is not parsed, and
    the request's messages and tools are not walked by the SDK's `transform`
    (`_send_as_built`).

    LangChain's message chunk parses its tool-call arguments as partial JSON when it is
    built (`AIMessageChunk.init_tool_calls`), for every piece of a few characters. Nothing
    reads that per-chunk reading: AG-UI streams the `tool_call_chunks`, and the merged
    message of the whole answer (the one the graph uses) is built, and its arguments
    parsed, once at the end. ChatOpenAI still converts the rest of such a chunk, and
    every other chunk (text, the call's name and id, finish reason, usage) whole.
    """

    def _get_request_payload(
        self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if self._use_responses_api(payload):
            return payload
        return _send_as_built(payload)

    def _convert_chunk_to_generation_chunk(
        self,
        chunk: dict[str, Any],
        default_chunk_class: type,
        base_generation_info: dict[str, Any] | None,
    ) -> ChatGenerationChunk | None:
        pieces = _argument_pieces(chunk)
        if pieces is None:
            return super()._convert_chunk_to_generation_chunk(
                chunk, default_chunk_class, base_generation_info
            )
        choice = chunk["choices"][0]
        without = {k: v for k, v in choice["delta"].items() if k != "tool_calls"}
        generation = super()._convert_chunk_to_generation_chunk(
            {**chunk, "choices": [{**choice, "delta": without}]},
            default_chunk_class,
            base_generation_info,
        )
        if generation is not None and isinstance(generation.message, AIMessageChunk):
            generation.message.tool_call_chunks = pieces
        return generation


# The request fields sent as they are, not walked by the SDK's `transform` (see below).
UNTRANSFORMED = ("messages", "tools")


def _send_as_built(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its messages and tool schemas in `extra_body`, the SDK's way of
    sending fields untouched, so its `transform` does not walk them.

    `AsyncCompletions.create` runs every request's parameters through `transform`, which
    checks each message against every message type and each tool schema against its
    types, about 1 ms of CPU for a "Plan a trip" request and more as the conversation
    grows, and gives back what it got for what ChatOpenAI sends (plain JSON dicts; a test
    checks that). `extra_body` is merged into the JSON body in place of the (empty)
    messages given to `create`, so the body sent is the same.
    """
    if "response_format" in payload or "messages" not in payload:
        return payload  # other SDK calls, or nothing to move
    moved = {k: payload.pop(k) for k in UNTRANSFORMED if k in payload}
    extra = payload.get("extra_body") or {}
    return {**payload, "messages": [], "extra_body": {**moved, **extra}}


def http_client(timeout: openai.Timeout) -> httpx2.AsyncClient | None:
    """The SDK's own HTTP client (its defaults: limits, redirects) on `AsyncioTransport`,
    or None (the SDK builds its default one) when the environment names a proxy: a client
    given a transport does not read the proxy variables, the SDK's default one does."""
    if any(getproxies().get(scheme) for scheme in ("http", "https", "all")):
        return None
    transport = AsyncioTransport(limits=openai.DEFAULT_CONNECTION_LIMITS)
    client: httpx2.AsyncClient = openai.DefaultAsyncHttpxClient(
        timeout=timeout, transport=transport
    )
    return client


def build_openai_model(settings: Settings) -> ChatOpenAI:
    """Streaming chat model with usage in the stream, timeouts and bounded retries.

    The graph binds its tools with `parallel_tool_calls=False` (one tool call per turn).
    Every call's tokens and outcome are recorded by the attached `LLMUsageRecorder`
    (`model.callbacks[0]`); do not attach another one through the run config.
    """
    api_key = settings.openai_api_key or NO_KEY
    base_url = settings.openai_base_url or None
    timeout = openai.Timeout(
        settings.llm_timeout_seconds, connect=settings.llm_connect_timeout_seconds
    )
    client = ChunkDictClient(
        api_key=api_key.get_secret_value(),
        base_url=base_url,
        timeout=timeout,
        max_retries=settings.llm_max_retries,
        http_client=http_client(timeout),
    )
    return StreamingChatOpenAI(
        model=settings.travel_model,
        api_key=api_key,
        base_url=base_url,
        root_async_client=client,
        async_client=client.chat.completions,
        streaming=True,
        # Asked for explicitly: ChatOpenAI leaves it off when base_url is set.
        stream_usage=True,
        # openai.Timeout is the SDK's own httpx Timeout class (httpx2 in openai>=3).
        timeout=timeout,
        max_retries=settings.llm_max_retries,
        callbacks=[LLMUsageRecorder("openai")],
        # LangChain bounds the gap between chunks with `asyncio.wait_for` per chunk (a task
        # each); the client's decoder bounds it instead (`JoiningSSEDecoder.silence`).
        stream_chunk_timeout=None,
    )
