"""Events that are ready together go out together: one SSE write for a batch, with
consecutive deltas of one message or tool call joined.

A client renders the concatenation of the deltas, so two adjacent deltas of the same
message and one delta with both texts show the same thing; the stream only ever joins
what is already waiting (drain's batches), so nothing is held back for it.
"""

from __future__ import annotations

from typing import Any

from ag_ui.core import EventType

#: Delta events and the field naming what they add to.
_DELTA_OWNERS = {
    EventType.TEXT_MESSAGE_CONTENT: "message_id",
    EventType.TOOL_CALL_ARGS: "tool_call_id",
}


def coalesced(events: list[Any]) -> list[Any]:
    """`events` with each run of deltas to the same message (or call) made one delta."""
    out: list[Any] = []
    for event in events:
        owner = _DELTA_OWNERS.get(event.type)
        previous = out[-1] if out else None
        if (
            owner is not None
            and previous is not None
            and previous.type == event.type
            and getattr(previous, owner) == getattr(event, owner)
        ):
            out[-1] = previous.model_copy(update={"delta": previous.delta + event.delta})
        else:
            out.append(event)
    return out
