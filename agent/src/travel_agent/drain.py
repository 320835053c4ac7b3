"""Ending streams on time during shutdown.

After SIGTERM, runs in flight get SHUTDOWN_GRACE_SECONDS to finish. A run still going
then is stopped here, so its person gets a RUN_ERROR with a sentence instead of a
connection cut half-way, and the process can exit cleanly before Kubernetes kills it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator
from typing import TypeVar, cast

T = TypeVar("T")

_DONE = object()
_STOP = object()


class StreamStopped(Exception):
    """The stop event was set before the stream ended; the stream was cancelled."""


async def until_stopped(
    stop: asyncio.Event,
    events: AsyncIterator[T],
    context: contextvars.Context | None = None,
) -> AsyncIterator[list[T]]:
    """Yield `events` until they end, or raise StreamStopped once `stop` is set: each
    time, every event queued by then (never waiting for more), so a stream can send the
    events that piled up while it was writing in one go.

    The source runs in a task of its own, in `context` or a copy of the caller's (request
    id, thread id, trace span), and hands events over through a queue;
    stopping cancels that task, which cancels the graph run inside it. The queue is
    unbounded: a run emits a bounded number of events, and the stop marker must always
    find room.
    """
    queue: asyncio.Queue[object] = asyncio.Queue()

    async def pump() -> None:
        # Cancellation (only ever from the `finally` below) needs no end marker.
        try:
            async for event in events:
                queue.put_nowait(event)
        except Exception as exc:  # handed to the consumer, raised there
            queue.put_nowait(exc)
        queue.put_nowait(_DONE)

    async def watch() -> None:
        await stop.wait()
        queue.put_nowait(_STOP)

    producer = asyncio.create_task(pump(), context=context)
    watcher = asyncio.create_task(watch())
    try:
        while True:
            batch: list[T] = []
            item = await queue.get()
            while True:
                if item is _DONE or item is _STOP or isinstance(item, Exception):
                    if batch:  # what came before the end goes out first
                        yield batch
                    if item is _STOP:
                        raise StreamStopped
                    if isinstance(item, Exception):
                        raise item
                    return
                batch.append(cast(T, item))
                if queue.empty():
                    break
                item = queue.get_nowait()
            yield batch
    finally:
        watcher.cancel()
        producer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await producer
