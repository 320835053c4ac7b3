"""The graph's run as the events the AG-UI integration reads, without `astream_events`.

`astream_events` traces every runnable of a run (each node, branch, channel write and
model call, with its inputs and outputs) and streams each node's output, then the
integration throws most of that away. It reads only: the graph's and each node's start
and end, the chat model's streamed chunks and its end, and custom events. This module
runs the graph with `astream` and one callback handler that forwards exactly those, in
the order they happen, shaped as `astream_events` (v2) shapes them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, cast
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager
from langchain_core.outputs import ChatGenerationChunk, LLMResult
from langchain_core.runnables import RunnableConfig
from langgraph.pregel import Pregel

Event = dict[str, Any]

_END = object()


def _as_sent(data: Any) -> Any:
    """`data` as it is now: the node runs on while its event waits to be sent, and may
    replace items of a list it sent (the search node does, for its progress). The lists
    are copied, not what they hold (a deep copy of every trip would cost milliseconds)."""
    if isinstance(data, dict):
        return {k: list(v) if isinstance(v, list) else v for k, v in data.items()}
    return data


def _name(name: str | None, serialized: dict[str, Any] | None) -> str:
    """A run's name as `astream_events` gives it (the model's class name for a model)."""
    if name is not None:
        return name
    serialized = serialized or {}
    return str(serialized.get("name") or (serialized.get("id") or ["Unnamed"])[-1])


class _Forwarder(BaseCallbackHandler):
    """Turns the callbacks the integration needs into `astream_events` dicts."""

    # Called in the calling task, in order, never in a thread (sync handler, inline).
    run_inline = True

    def __init__(self, put: Callable[[Event], None]) -> None:
        self.put = put
        self.chains: dict[UUID, tuple[str, dict[str, Any], list[str], Any]] = {}
        self.models: dict[UUID, tuple[str, dict[str, Any], list[str]]] = {}

    # The chat model streams to a handler with these two (LangChain's streaming
    # handler protocol); they see nothing themselves, so nodes do not stream.
    def tap_output_aiter(self, run_id: UUID, output: AsyncIterator[Any]) -> AsyncIterator[Any]:
        return output

    def tap_output_iter(self, run_id: UUID, output: Iterator[Any]) -> Iterator[Any]:
        return output

    def _event(
        self, kind: str, run_id: UUID, name: str, tags: list[str], metadata: Any, data: Any
    ) -> None:
        self.put(
            {
                "event": kind,
                "data": data,
                "run_id": str(run_id),
                "name": name,
                "tags": tags,
                "metadata": metadata,
                "parent_ids": [],
            }
        )

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = _name(kwargs.get("name"), serialized)
        metadata = metadata or {}
        # The graph itself, and each node (a node's run carries its name as
        # `langgraph_node`; the runnables inside a node do not).
        if parent_run_id is None or name == metadata.get("langgraph_node"):
            self.chains[run_id] = (name, metadata, tags or [], inputs)
            self._event("on_chain_start", run_id, name, tags or [], metadata, {"input": inputs})

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        chain = self.chains.pop(run_id, None)
        if chain is not None:
            name, metadata, tags, inputs = chain
            self._event(
                "on_chain_end", run_id, name, tags, metadata, {"output": outputs, "input": inputs}
            )

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.chains.pop(run_id, None)  # `astream_events` sends nothing for it either

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: list[list[Any]],
        *,
        run_id: UUID,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.models[run_id] = (_name(kwargs.get("name"), serialized), metadata or {}, tags or [])

    def on_llm_new_token(
        self, token: Any, *, chunk: Any = None, run_id: UUID, **kwargs: Any
    ) -> None:
        model = self.models.get(run_id)
        if model is not None and isinstance(chunk, ChatGenerationChunk):
            name, metadata, tags = model
            self._event(
                "on_chat_model_stream", run_id, name, tags, metadata, {"chunk": chunk.message}
            )

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        model = self.models.pop(run_id, None)
        if model is not None:
            name, metadata, tags = model
            first = next((gen for gens in response.generations for gen in gens), None)
            output = getattr(first, "message", {})
            self._event("on_chat_model_end", run_id, name, tags, metadata, {"output": output})

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.models.pop(run_id, None)

    def on_custom_event(
        self,
        name: str,
        data: Any,
        *,
        run_id: UUID,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._event("on_custom_event", run_id, name, tags or [], metadata or {}, _as_sent(data))


async def run_events(
    graph: Pregel[Any, Any, Any, Any],
    input: Any,
    config: Any = None,
    *,
    ended: Callable[[], None] | None = None,
    **kwargs: Any,
) -> AsyncIterator[Event]:
    """What `graph.astream_events(input, config, **kwargs)` (v2) would yield that the
    integration reads.

    The graph runs in a task of its own (as under `astream_events`); its errors are
    raised here, and closing this iterator cancels the run. `ended` is called once the
    run is over (or cancelled), when this iterator ends or is closed."""
    queue: asyncio.Queue[object] = asyncio.Queue()
    config = dict(config or {})
    forwarder = _Forwarder(queue.put_nowait)
    callbacks = config.get("callbacks")
    if isinstance(callbacks, BaseCallbackManager):
        callbacks = callbacks.copy()
        callbacks.add_handler(forwarder, inherit=True)
        config["callbacks"] = callbacks
    else:
        config["callbacks"] = [*(callbacks or []), forwarder]

    async def run() -> None:
        try:
            async for _ in graph.astream(
                input,
                cast(RunnableConfig, config),
                context=kwargs.get("context"),
                durability=kwargs.get("durability"),
                subgraphs=bool(kwargs.get("subgraphs")),
                stream_mode="updates",
            ):
                pass
        finally:
            queue.put_nowait(_END)

    task = asyncio.create_task(run())
    try:
        while (item := await queue.get()) is not _END:
            yield cast(Event, item)
    finally:
        task.cancel()  # nothing when the run is over
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await task  # raises what ended the run, if it failed
        finally:
            if ended is not None:
                ended()
