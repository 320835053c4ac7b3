"""What the running service holds: settings, storage, the graph, and its drain state."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import StateSnapshot

from travel_kit.ids import THREAD_ID as THREAD_ID  # agui.py checks with it
from travel_kit.ids import is_thread_id

from .agui_agent import TravelAgent
from .graph import initial_values
from .persistence import Persistence
from .places.base import PlacesProvider
from .settings import Settings
from .thread_locks import ThreadLocks


@dataclass(frozen=True)
class ThreadView:
    values: dict[str, Any]
    tasks: tuple[Any, ...]


@dataclass
class Runtime:
    settings: Settings
    persistence: Persistence
    graph: CompiledStateGraph[Any, Any, Any, Any]
    agent: TravelAgent
    locks: ThreadLocks
    places: PlacesProvider
    llm_provider: str
    places_provider: str
    draining: bool = False
    active_runs: int = 0
    # Set when the shutdown grace period is over: open streams end with RUN_ERROR.
    stop_streams: asyncio.Event = field(default_factory=asyncio.Event)

    def config(self, thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    async def read_thread(self, thread_id: str) -> ThreadView:
        """The thread's values and pending tasks; a new thread shows its initial values
        without storing them (only writers, holding the thread lock, store)."""
        snapshot = await self.graph.aget_state(self.config(thread_id))
        if not snapshot.values:
            return ThreadView(initial_values(self.settings.demo_trips), ())
        return ThreadView(self._with_initial(snapshot.values), snapshot.tasks)

    def _with_initial(self, values: dict[str, Any]) -> dict[str, Any]:
        """A thread's values; before its first run stored its trips (it has none, or only
        the messages of a run that failed), with the initial values the chat node gives it."""
        if values.get("trips") is not None:
            return values
        return {**values, **initial_values(self.settings.demo_trips)}

    async def ensure_thread(self, thread_id: str) -> StateSnapshot:
        """The thread's state; a thread never seen before first gets its initial values.
        Call only while holding the thread lock."""
        config = self.config(thread_id)
        snapshot = await self.graph.aget_state(config)
        if snapshot.values.get("trips") is None:
            values = initial_values(self.settings.demo_trips)
            await self.graph.aupdate_state(config, values, as_node="trips")
            snapshot = await self.graph.aget_state(config)
        return snapshot

    async def state_for_run(self, thread_id: str) -> StateSnapshot:
        """The thread's state as a run starts from it; a thread never seen before shows
        its initial values without storing them: its run's chat node stores them with
        the run's checkpoint (one write instead of two, and no second read). Call only
        while holding the thread lock."""
        snapshot = await self.graph.aget_state(self.config(thread_id))
        if snapshot.values.get("trips") is None:
            snapshot = snapshot._replace(values=self._with_initial(snapshot.values))
        return snapshot

    def run_started(self) -> None:
        self.active_runs += 1

    def run_ended(self) -> None:
        self.active_runs -= 1


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def check_thread_id(thread_id: str) -> str:
    if not is_thread_id(thread_id):
        raise HTTPException(
            status_code=422,
            detail="The conversation id must be 8 to 128 letters, digits, '-' or '_'.",
        )
    return thread_id
