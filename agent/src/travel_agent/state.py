"""What LangGraph keeps per conversation thread (checkpointed: the source of truth)."""

from __future__ import annotations

from typing import Any

from langgraph.graph import MessagesState


class InputState(MessagesState):
    """What a run accepts from outside: messages only. Trips never come from the client."""


class AgentState(MessagesState):
    """Messages plus trips (JSON dicts of validated `Trip`s), selection and search progress."""

    trips: list[dict[str, Any]]
    selected_trip_id: str | None
    search_progress: list[dict[str, Any]]


#: What clients see of a thread's state (STATE_SNAPSHOT); messages travel in their own events.
STATE_KEYS = ("trips", "selected_trip_id", "search_progress")


class OutputState(AgentState):
    """What clients see in STATE_SNAPSHOT events (messages travel in their own events)."""
