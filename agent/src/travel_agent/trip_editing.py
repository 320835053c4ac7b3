"""How a manual edit changes a thread's trips, for every REST module that edits them.

An endpoint takes a `Thread` (a FastAPI dependency: the path's thread id and the runtime)
and hands it the change as a function; `Thread` holds the thread's lock, refuses while an
approval is pending, writes the result as the `trips` node (so the agent sees it on its
next turn) and answers with one sentence on failure (404, 409, 503)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path
from langchain_core.messages import AnyMessage
from langgraph.types import StateSnapshot

from . import errors
from .api_contract import THREAD_ID_SCHEMA
from .graph import pending_proposal
from .logging_setup import thread_id_var
from .models import Trip
from .runtime import Runtime, ThreadView, check_thread_id, get_runtime
from .thread_locks import LockUnavailable, ThreadBusy
from .trip_ops import trips_from_state, trips_to_state

log = logging.getLogger(__name__)

PENDING_APPROVAL = "A change is waiting for your approval: approve or cancel it first."


def thread_path(
    thread_id: Annotated[
        str, Path(description="Conversation id", json_schema_extra=THREAD_ID_SCHEMA)
    ],
) -> str:
    check_thread_id(thread_id)
    thread_id_var.set(thread_id)
    return thread_id


def find_trip(trips: list[Trip], trip_id: str) -> Trip:
    for trip in trips:
        if trip.id == trip_id:
            return trip
    raise HTTPException(status_code=404, detail=f"There is no trip with id {trip_id!r}.")


def trips_of(snapshot: StateSnapshot | ThreadView) -> list[Trip]:
    return trips_from_state(snapshot.values.get("trips"))


def replace_trip(trips: list[Trip], edited: Trip) -> list[Trip]:
    return [edited if t.id == edited.id else t for t in trips]


@dataclass(frozen=True)
class Thread:
    """The conversation a request acts on, with the runtime that stores it."""

    runtime: Runtime
    id: str

    async def read(self) -> ThreadView:
        try:
            return await self.runtime.read_thread(self.id)
        except Exception as exc:
            log.exception("could not read thread state")
            raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc

    async def conversation(self, snapshot: ThreadView) -> list[AnyMessage]:
        """The whole conversation: the checkpoint keeps recent messages only, older ones
        are in the message store."""
        recent = snapshot.values.get("messages", [])
        try:
            return await self.runtime.persistence.messages.conversation(self.id, recent)
        except Exception as exc:
            log.exception("could not read thread state")
            raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc

    async def trip(self, trip_id: str) -> Trip:
        """The thread's trip `trip_id` as stored (404 when unknown)."""
        return find_trip(trips_of(await self.read()), trip_id)

    @asynccontextmanager
    async def editing(self) -> AsyncIterator[StateSnapshot]:
        """Hold the thread (waiting a little for it: two tabs editing at once both land),
        refuse while an approval is pending, and yield its state."""
        runtime = self.runtime
        try:
            async with runtime.locks.hold(self.id, wait=runtime.settings.edit_lock_wait_seconds):
                try:
                    snapshot = await runtime.ensure_thread(self.id)
                except Exception as exc:
                    log.exception("could not read thread state")
                    raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc
                if pending_proposal(snapshot.tasks) is not None:
                    raise HTTPException(status_code=409, detail=PENDING_APPROVAL)
                yield snapshot
        except ThreadBusy as exc:
            raise HTTPException(status_code=409, detail=errors.BUSY) from exc
        except LockUnavailable as exc:
            log.warning("could not take the thread lock", exc_info=exc)
            raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc

    async def write(self, values: dict[str, Any]) -> StateSnapshot:
        config = self.runtime.config(self.id)
        graph = self.runtime.graph
        try:
            await graph.aupdate_state(config, values, as_node="trips")
            return await graph.aget_state(config)
        except Exception as exc:
            log.exception("could not write thread state")
            raise HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE) from exc

    async def edit(self, change: Callable[[StateSnapshot], dict[str, Any]]) -> StateSnapshot:
        """Apply `change` (the state's new values from its current state, or an
        HTTPException) while holding the thread; the state as written."""
        async with self.editing() as snapshot:
            return await self.write(change(snapshot))

    async def edit_trip(
        self, trip_id: str, change: Callable[[Trip], Trip], *, select: bool = False
    ) -> Trip:
        """Store `change(trip)` in place of trip `trip_id` (404 when unknown), and show it
        on the map if `select`; the edited trip."""
        async with self.editing() as snapshot:
            trips = trips_of(snapshot)
            edited = change(find_trip(trips, trip_id))
            values: dict[str, Any] = {"trips": trips_to_state(replace_trip(trips, edited))}
            if select:
                values["selected_trip_id"] = trip_id
            await self.write(values)
            return edited

    async def add_trip(self, make: Callable[[], Trip]) -> Trip:
        """Add the trip `make()` builds (422 when the thread holds its most) and show it:
        that is where the person goes on to add places."""
        async with self.editing() as snapshot:
            trips = trips_of(snapshot)
            most = self.runtime.settings.max_trips
            if len(trips) >= most:
                raise HTTPException(
                    status_code=422, detail=f"A conversation can hold at most {most} trips."
                )
            trip = make()
            await self.write({"trips": trips_to_state([*trips, trip]), "selected_trip_id": trip.id})
            return trip


def get_thread(
    thread_id: str = Depends(thread_path), runtime: Runtime = Depends(get_runtime)
) -> Thread:
    return Thread(runtime, thread_id)


async def thread_trip(trip_id: str, thread: Thread = Depends(get_thread)) -> Trip:
    """A dependency: the path's trip as stored (404 when unknown)."""
    return await thread.trip(trip_id)
