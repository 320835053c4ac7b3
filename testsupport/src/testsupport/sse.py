"""Server-sent events: the JSON `data:` of each event."""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any


def sse_events(text: str) -> list[dict[str, Any]]:
    """Each event of a whole SSE body (multi-line `data:` joined, comments skipped)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        data = [
            line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:")
        ]
        if data:
            events.append(json.loads("\n".join(data)))
    return events


async def iter_events(lines: AsyncIterable[str]) -> AsyncIterator[dict[str, Any]]:
    """The events of a stream read line by line (one-line `data:`, as both services send)."""
    async for line in lines:
        if line.startswith("data:"):
            yield json.loads(line[5:])


async def events_until(lines: AsyncIterable[str], stop: str) -> list[dict[str, Any]]:
    """Events until one of type `stop` (included) or the end of the stream."""
    events: list[dict[str, Any]] = []
    async for event in iter_events(lines):
        events.append(event)
        if event["type"] == stop:
            break
    return events
