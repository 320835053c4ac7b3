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

    .venv/bin/python bench/scripted_upstreams.py --port 8100
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

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


def _event(completion: str, **fields: Any) -> str:
    """One SSE event of OpenAI's streamed chat completion (`chat.completion.chunk`)."""
    body = {
        "id": completion,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "gpt-bench",
        "system_fingerprint": "fp_bench",
        **fields,
    }
    return f"data: {json.dumps(body)}\n\n"


def _chunk(completion: str, delta: dict[str, Any], finish: str | None = None) -> str:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
    return _event(completion, choices=[choice])


def _usage(completion: str) -> str:
    usage = {"prompt_tokens": 812, "completion_tokens": 96, "total_tokens": 908}
    return _event(completion, choices=[], usage=usage)


def _stream(text: str, tool: tuple[str, str, dict[str, Any]] | None) -> Iterator[str]:
    completion = f"chatcmpl-{time.monotonic_ns()}"
    yield _chunk(completion, {"role": "assistant", "content": "", "refusal": None})
    for word in re.findall(r"\S+\s*", text):
        yield _chunk(completion, {"content": word})
    if tool is not None:
        call_id, name, args = tool
        yield _chunk(
            completion,
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": ""},
                    }
                ]
            },
        )
        raw = json.dumps(args)
        for i in range(0, len(raw), ARG_PIECE):
            piece = raw[i : i + ARG_PIECE]
            yield _chunk(
                completion, {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
            )
    yield _chunk(completion, {}, "tool_calls" if tool else "stop")
    yield _usage(completion)
    yield "data: [DONE]\n\n"


def _city(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            found = re.search(r"trip to (\w+)", str(message.get("content")))
            if found:
                return found.group(1)
    return "Rome"


async def chat_completions(request: Request) -> Response:
    body = await request.json()
    messages = body.get("messages", [])
    city = _city(messages)
    last = messages[-1] if messages else {}
    tool: tuple[str, str, dict[str, Any]] | None
    if last.get("role") != "tool":
        text = f"Let me look for the best places to see in {city}."
        tool = ("call_search", "search_for_places", {"queries": [f"sights in {city}"]})
    elif last.get("tool_call_id") == "call_search":
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
    return StreamingResponse(_stream(text, tool), media_type="text/event-stream")


async def search_text(request: Request) -> Response:
    body = await request.json()
    found = re.search(r"in (\w+)", str(body.get("textQuery", "")))
    city = found.group(1) if found else "Rome"
    return JSONResponse({"places": _places(city)[: int(body.get("pageSize", 20))]})


app = Starlette(
    routes=[
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/places:searchText", search_text, methods=["POST"]),
    ]
)


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
