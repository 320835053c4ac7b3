"""Streamed chat-completion chunks received together are handed on as one chunk.

OpenAI streams an answer as one SSE event per few tokens, and every event LangChain sees
costs a message chunk, callbacks, merging, an AG-UI event and a write. When events arrive
faster than the agent takes them (a busy process, a fast local server), several of them
are already received when the agent asks for the next one. `JoiningSSEDecoder` reads the
response body in a task of its own and, each time the agent asks, takes everything
received so far, decodes every complete event in it and joins adjacent chunks that
AG-UI would stream as one run of deltas:

- text deltas (`content`, the first one may carry the role) into one text delta;
- pieces of one tool call's arguments (no id, no name) into one piece.

Anything else stays a chunk of its own, in order: a call's first chunk (its id and name:
AG-UI starts the call from it and ignores arguments on it), the finish reason, the usage
chunk, an error, `[DONE]`, chunks with logprobs or fields this does not know. Nothing
waits for more data: whatever has arrived is handed on at once, so a stream that trickles
in one event per read is passed on event by event, as before.

A stream that sends nothing but keep-alive comments (`: keepalive`) never trips the read
timeout, which any byte resets. `silence` bounds that: when no event has come for that
many seconds of waiting, the stream ends with `StreamSilenceTimeout` (a `TimeoutError`).
It replaces LangChain's `stream_chunk_timeout`, which bounds the same gap between chunks
but runs every chunk through `asyncio.wait_for` (a task per chunk); here one timer per
stream checks how long the decoder has been waiting with nothing received.

The decoder is the SDK's extension point for other stream formats (`SSEBytesDecoder`,
returned by the client's `_make_sse_decoder`); requests, retries, timeouts and the error
classes (a timeout or a dropped connection while reading, an error sent inside the stream)
stay the SDK's, and lines and fields are decoded by the SDK's own `SSEDecoder`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from openai._streaming import ServerSentEvent, SSEDecoder

# As long as the SDK lets a finished HTTP/1.1 body drain before it gives up on it.
DRAIN_SECONDS = 0.1

_DELTA_TEXT_KEYS = frozenset({"role", "content", "refusal", "tool_calls", "function_call"})
_CHOICE_KEYS = frozenset({"index", "delta", "logprobs", "finish_reason"})
_CALL_KEYS = frozenset({"index", "id", "type", "function"})


class StreamSilenceTimeout(TimeoutError):
    """No event came for `seconds` while the stream stayed open (keep-alives at most)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The model's stream sent no event for {seconds:g} s (LLM_TIMEOUT_SECONDS)"
        )
        self.seconds = seconds


class ParsedEvent(ServerSentEvent):
    """An SSE event whose JSON is already parsed: one chunk, or the join of several
    (`data` is then the first one's text)."""

    def __init__(self, *, data: str, value: Any) -> None:
        super().__init__(data=data)
        self._value = value

    def json(self) -> Any:
        return self._value


class _Lines:
    """Splits bytes into lines at CR, LF or CRLF, across reads (as the SDK does)."""

    def __init__(self) -> None:
        self._rest = b""
        self._skip_lf = False  # the last read ended in CR: a LF first in the next is its pair

    def feed(self, data: bytes) -> list[bytes]:
        if self._skip_lf and data.startswith(b"\n"):
            data = data[1:]
        self._skip_lf = False
        if self._rest:
            data, self._rest = self._rest + data, b""
        lines = data.splitlines(keepends=True)
        if lines and not lines[-1].endswith((b"\n", b"\r")):
            self._rest = lines.pop()
        elif lines and lines[-1].endswith(b"\r"):
            self._skip_lf = True
        return [line.rstrip(b"\r\n") for line in lines]

    def finish(self) -> list[bytes]:
        rest, self._rest = self._rest, b""
        return [rest] if rest else []


def _kind(chunk: Any) -> tuple[Any, ...] | None:
    """What a chunk may be joined with (chunks of the same kind, one after the other), or
    None when it stands alone."""
    if not isinstance(chunk, dict) or chunk.get("usage") is not None or "error" in chunk:
        return None
    choices = chunk.get("choices")
    if not isinstance(choices, list) or len(choices) != 1:
        return None
    choice = choices[0]
    if (
        not isinstance(choice, dict)
        or choice.keys() - _CHOICE_KEYS
        or choice.get("finish_reason") is not None
        or choice.get("logprobs") is not None
    ):
        return None
    delta = choice.get("delta")
    if not isinstance(delta, dict) or delta.keys() - _DELTA_TEXT_KEYS:
        return None
    if delta.get("refusal") is not None or delta.get("function_call") is not None:
        return None
    if delta.get("role") not in (None, "assistant"):
        return None
    calls = delta.get("tool_calls")
    content = delta.get("content")
    if not calls:
        if isinstance(content, str):
            return ("text", chunk.get("id"), choice.get("index"))
        return None
    if content is not None or delta.get("role") is not None or len(calls) != 1:
        return None
    call = calls[0]
    if not isinstance(call, dict) or call.keys() - _CALL_KEYS or call.get("id"):
        return None
    function = call.get("function")
    index = call.get("index")
    if (
        not isinstance(function, dict)
        or function.keys() - {"arguments", "name"}
        or function.get("name")
        or not isinstance(function.get("arguments"), str)
        or not isinstance(index, int)
    ):
        return None
    return ("arguments", chunk.get("id"), choice.get("index"), index)


def _joined(chunks: list[dict[str, Any]]) -> dict[str, Any]:
    """One chunk for adjacent chunks of one kind: the first, with all their text."""
    first = chunks[0]
    if len(chunks) == 1:
        return first
    choice = first["choices"][0]
    delta = choice["delta"]
    if delta.get("tool_calls"):
        call = delta["tool_calls"][0]
        pieces = "".join(
            c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"] for c in chunks
        )
        call = {**call, "function": {**call["function"], "arguments": pieces}}
        delta = {**delta, "tool_calls": [call]}
    else:
        delta = {**delta, "content": "".join(c["choices"][0]["delta"]["content"] for c in chunks)}
    return {**first, "choices": [{**choice, "delta": delta}]}


def _parsed(event: ServerSentEvent) -> ServerSentEvent:
    """The event with its JSON parsed, as `join_events` hands on one that stands alone."""
    if event.event is None and not event.data.startswith("[DONE]"):
        try:
            return ParsedEvent(data=event.data, value=json.loads(event.data))
        except ValueError:
            pass  # the SDK's own parse raises it, in order
    return event


def join_events(events: list[ServerSentEvent]) -> Iterator[ServerSentEvent]:
    """The events, with adjacent joinable chat-completion chunks joined into one
    (parsed) event; the rest as they are, in order."""
    if len(events) == 1:
        # What a stream trickling in one event per read gives every time: nothing to join
        # it with, so what it may be joined with (`_kind`) is not asked.
        yield _parsed(events[0])
        return
    run: list[dict[str, Any]] = []
    run_kind: tuple[Any, ...] | None = None
    run_data = ""
    for event in events:
        single = _parsed(event)
        value: Any = single.json() if isinstance(single, ParsedEvent) else None
        kind = _kind(value) if isinstance(single, ParsedEvent) else None
        if run and kind is not None and kind == run_kind:
            run.append(value)
            continue
        if run:
            yield ParsedEvent(data=run_data, value=_joined(run))
            run = []
        if kind is not None:
            run, run_kind, run_data = [value], kind, event.data
        else:
            yield single
    if run:
        yield ParsedEvent(data=run_data, value=_joined(run))


class _Silence:
    """How long the decoder has waited for an event, with one timer per stream: a deadline
    per wait (`asyncio.timeout`) would cost a timer per read. The timer wakes the decoder
    (`wake`) once a wait has lasted `seconds`; until then it re-arms itself for the end of
    the current wait's bound, or one bound ahead when the decoder is not waiting."""

    # asyncio may run a timer up to its clock's resolution early.
    EARLY = 0.001

    def __init__(self, seconds: float, wake: asyncio.Event) -> None:
        self.seconds = seconds
        self.expired = False
        self.waiting_since: float | None = None
        self._wake = wake
        self._loop = asyncio.get_running_loop()
        self._timer = self._loop.call_later(seconds, self._check)

    def waiting(self) -> None:
        """The decoder waits for data; the bound runs from the first wait after an event."""
        if self.waiting_since is None:
            self.waiting_since = self._loop.time()

    def _check(self) -> None:
        now, since = self._loop.time(), self.waiting_since
        if since is not None and now + self.EARLY >= since + self.seconds:
            self.expired = True
            self._wake.set()
            return
        self._timer = self._loop.call_at(
            (now if since is None else since) + self.seconds, self._check
        )

    def close(self) -> None:
        self._timer.cancel()


class JoiningSSEDecoder:
    """The SDK's SSE decoding, handing on every event received so far at once, with
    adjacent text deltas and argument pieces joined (see the module's docstring).

    `silence`: seconds the decoder waits for the next event before it gives up with
    `StreamSilenceTimeout` (None: no bound but the transport's own timeouts).
    """

    def __init__(self, silence: float | None = None) -> None:
        self.silence = silence

    def _events(self, decoder: SSEDecoder, lines: list[bytes]) -> list[ServerSentEvent]:
        events = []
        for line in lines:
            event = decoder.decode(line.decode("utf-8"))
            if event is not None:
                events.append(event)
        return events

    def iter_bytes(self, iterator: Iterator[bytes]) -> Iterator[ServerSentEvent]:
        """Blocking reads: events are joined within each read."""
        decoder, lines = SSEDecoder(), _Lines()
        for data in iterator:
            yield from join_events(self._events(decoder, lines.feed(data)))
        yield from join_events(self._events(decoder, lines.finish()))

    async def aiter_bytes(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[ServerSentEvent]:
        received: list[bytes] = []
        arrived = asyncio.Event()
        ended: list[Exception | None] = []  # one item once the body ended (None) or failed

        async def read() -> None:
            try:
                async for data in iterator:
                    received.append(data)
                    arrived.set()
            except Exception as error:  # handed to whoever reads the events, in order
                ended.append(error)
            else:
                ended.append(None)
            finally:
                arrived.set()

        reader = asyncio.create_task(read())
        decoder, lines = SSEDecoder(), _Lines()
        silence = None if self.silence is None else _Silence(self.silence, arrived)
        try:
            while True:
                if not arrived.is_set():
                    if silence is not None:
                        silence.waiting()
                    await arrived.wait()
                    if silence is not None and silence.expired:
                        raise StreamSilenceTimeout(silence.seconds)
                arrived.clear()
                done = bool(ended)  # before taking what was received: nothing comes after
                taken = []
                for data in received:
                    taken.extend(lines.feed(data))
                received.clear()
                if done:
                    taken.extend(lines.finish())
                for event in join_events(self._events(decoder, taken)):
                    if event.data.startswith("[DONE]"):
                        # The SDK drains the rest of the body itself: stop reading it here.
                        await self._stop(reader, DRAIN_SECONDS)
                    if silence is not None:
                        silence.waiting_since = None
                    yield event
                if done:
                    if ended[0] is not None:
                        raise ended[0]
                    return
        finally:
            if silence is not None:
                silence.close()
            await self._stop(reader, 0)

    @staticmethod
    async def _stop(reader: asyncio.Task[None], grace: float) -> None:
        if not reader.done() and grace > 0:
            await asyncio.wait([reader], timeout=grace)
        if not reader.done():
            reader.cancel()
            await asyncio.wait([reader])
