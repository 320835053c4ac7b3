"""Scripted stand-ins for OpenAI and Google Places (New), for `bench/agent_turn.py --llm`.

One process serves both, shaped like the documented responses:

- `POST /v1/chat/completions` with `"stream": true`: `chat.completion.chunk` SSE events
  (role first, then content deltas or tool-call deltas with the name first and the
  arguments in pieces), a chunk with `finish_reason`, a usage chunk (`choices: []`, as
  `stream_options.include_usage` asks) and `data: [DONE]`.
- `POST /v1/places:searchText`: `{"places": [Place, ...]}` with the fields of the field mask.

The script for a "Plan a trip to <city>" turn: the first call (no tool result yet) says a
short sentence and calls `search_for_places`; the call after the search result proposes
`add_trips` with the places found; the call after the approval answers in text.

The load generator should cost as little as it honestly can, so that the agent's share of
the machine is what the benchmark measures: each answer (per stage and city) is encoded
once and sent as precomputed bytes, one write per event, with only the completion id
replaced; per request the body is parsed (the script depends on the messages) and nothing
else is built.

    .venv/bin/python bench/scripted_upstreams.py --port 8100
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import re
import time
from typing import Any

import uvicorn
from starlette.types import Receive, Scope, Send

ARG_PIECE = 20  # characters of tool-call arguments per chunk (OpenAI sends a few tokens)


def _places(city: str) -> list[dict[str, Any]]:
    names = ["Old Town Museum", "Cathedral", "Central Market", "City Park", "Harbour Walk"]
    return [
        {
            "id": f"{city.lower()}-{i}",
            "displayName": {"text": f"{city} {name}", "languageCode": "en"},
            "formattedAddress": f"{i + 1} Main Street, {city}",
            "location": {"latitude": 41.89 + i * 0.004, "longitude": 12.49 - i * 0.003},
            "rating": 4.1 + i / 10,
            "editorialSummary": {
                "text": f"A favourite {name.lower()} of {city}.",
                "languageCode": "en",
            },
        }
        for i, name in enumerate(names)
    ]


#: Stands for the completion id in the precomputed events; each response gets its own.
_ID = b"chatcmpl-00000000000000000000"
_CREATED = int(time.time())


def _event(completion: str, **fields: Any) -> bytes:
    """One SSE event of OpenAI's streamed chat completion (`chat.completion.chunk`)."""
    body = {
        "id": completion,
        "object": "chat.completion.chunk",
        "created": _CREATED,
        "model": "gpt-bench",
        "system_fingerprint": "fp_bench",
        **fields,
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def _chunk(completion: str, delta: dict[str, Any], finish: str | None = None) -> bytes:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return _event(completion, choices=[choice])


def _usage(completion: str) -> bytes:
    usage = {"prompt_tokens": 812, "completion_tokens": 96, "total_tokens": 908}
    return _event(completion, choices=[], usage=usage)


def _stream(text: str, tool: tuple[str, str, dict[str, Any]] | None) -> list[bytes]:
    """The events of one streamed completion, with `_ID` for the completion id."""
    completion = _ID.decode()
    events = [_chunk(completion, {"role": "assistant", "content": "", "refusal": None})]
    for word in re.findall(r"\S+\s*", text):
        events.append(_chunk(completion, {"content": word}))
    if tool is not None:
        call_id, name, args = tool
        head = {"index": 0, "id": call_id, "type": "function"}
        function = {"name": name, "arguments": ""}
        events.append(_chunk(completion, {"tool_calls": [{**head, "function": function}]}))
        raw = json.dumps(args)
        for i in range(0, len(raw), ARG_PIECE):
            piece = {"index": 0, "function": {"arguments": raw[i : i + ARG_PIECE]}}
            events.append(_chunk(completion, {"tool_calls": [piece]}))
    events.append(_chunk(completion, {}, "tool_calls" if tool else "stop"))
    events.append(_usage(completion))
    events.append(b"data: [DONE]\n\n")
    return events


def _city(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            found = re.search(r"trip to (\w+)", str(message.get("content")))
            if found:
                return found.group(1)
    return "Rome"


def _stage(messages: list[dict[str, Any]]) -> str:
    """Which call of the turn this is: "search", "add" (after the search) or "done"."""
    last = messages[-1] if messages else {}
    if last.get("role") != "tool":
        return "search"
    return "add" if last.get("tool_call_id") == "call_search" else "done"


@functools.cache
def completion_events(stage: str, city: str) -> list[bytes]:
    """The scripted completion of `stage` for `city`, computed once."""
    tool: tuple[str, str, dict[str, Any]] | None
    if stage == "search":
        text = f"Let me look for the best places to see in {city}."
        tool = ("call_search", "search_for_places", {"queries": [f"sights in {city}"]})
    elif stage == "add":
        text = ""
        places = [
            {
                "id": p["id"],
                "name": p["displayName"]["text"],
                "address": p["formattedAddress"],
                "latitude": p["location"]["latitude"],
                "longitude": p["location"]["longitude"],
                "rating": p["rating"],
                "description": p["editorialSummary"]["text"],
            }
            for p in _places(city)
        ]
        trip = {
            "id": f"{city.lower()}-trip",
            "name": f"A weekend in {city}",
            "center_latitude": 41.9,
            "center_longitude": 12.48,
            "zoom": 13,
            "places": places,
        }
        tool = ("call_add", "add_trips", {"trips": [trip]})
    else:
        text = f"Done: your {city} trip is on the map. Enjoy the museums and the market!"
        tool = None
    return _stream(text, tool)


@functools.cache
def places_body(city: str, page_size: int) -> bytes:
    return json.dumps({"places": _places(city)[:page_size]}).encode()


_ids = itertools.count(1)

SSE_HEADERS = [(b"content-type", b"text/event-stream; charset=utf-8")]


def completion_id() -> bytes:
    """A new completion id as long as `_ID`, so the precomputed events keep their size."""
    return b"chatcmpl-%020d" % next(_ids)


async def chat_completions(body: dict[str, Any], send: Send) -> None:
    messages = body.get("messages", [])
    events = completion_events(_stage(messages), _city(messages))
    completion = completion_id()
    await send({"type": "http.response.start", "status": 200, "headers": SSE_HEADERS})
    # One write per event, as the real service streams them (what the agent reads is the
    # same as with any upstream that answers at once).
    for event in events:
        chunk = event.replace(_ID, completion)
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def search_text(body: dict[str, Any], send: Send) -> None:
    found = re.search(r"in (\w+)", str(body.get("textQuery", "")))
    payload = places_body(found.group(1) if found else "Rome", int(body.get("pageSize", 20)))
    await _respond(send, 200, b"application/json", payload)


async def _respond(send: Send, status: int, kind: bytes, payload: bytes) -> None:
    headers = [(b"content-type", kind), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


ROUTES = {"/v1/chat/completions": chat_completions, "/v1/places:searchText": search_text}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """A bare ASGI app: the request body is parsed (the script depends on it); the answer
    is precomputed bytes."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    handler = ROUTES.get(scope["path"])
    if handler is None or scope["method"] != "POST":
        await _respond(send, 404, b"text/plain", b"not found")
        return
    raw = b""
    more = True
    while more:
        message = await receive()
        raw += message.get("body", b"")
        more = message.get("more_body", False)
    await handler(json.loads(raw or b"{}"), send)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # Keep-alive longer than a benchmark: a connection closed while the agent reuses it
    # would be a retry in the figures.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=600,
    )


if __name__ == "__main__":
    main()
