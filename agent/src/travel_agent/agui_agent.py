"""The AG-UI LangGraph agent, with the graph's schema keys computed once, state snapshots
limited to what clients show, and no time travel.

The integration derives the graph's input/output keys from its JSON schemas on every run;
for this graph that costs more than the whole run, and the schemas never change.

The integration sends TOOL_CALL_RESULT only for LangChain tools; this graph's search and
trips nodes write their tool results themselves, so the results are sent here, when the
chat node next starts (the results are stored by then, with the ids the conversation's
MESSAGES_SNAPSHOT carries) and before anything the model says next.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from typing import Any, cast

from ag_ui.core import EventType, ToolCallResultEvent
from ag_ui_langgraph import LangGraphAgent
from ag_ui_langgraph.utils import normalize_tool_content
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.types import StateSnapshot

from .run_graph import RunGraph
from .state import STATE_KEYS
from .storage_messages import MessageStore

#: Per graph (agents are cloned per run; the graph is shared), gone with the graph.
_schema_keys: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


class TravelAgent(LangGraphAgent):  # type: ignore[misc]  # the integration ships no types
    #: Where a thread's older messages are (not in its checkpoint); set by for_run.
    older_messages: MessageStore | None = None

    def for_run(self, config: Any, snapshot: StateSnapshot, messages: MessageStore) -> TravelAgent:
        """A clone for one run on a thread whose state the caller has just read (holding
        its lock): the run reads the checkpoint again only after it wrote one (see
        run_graph; each read rebuilds the whole conversation)."""
        agent: TravelAgent = self.clone()
        agent.graph = RunGraph(self.graph, config, snapshot)
        agent.older_messages = messages
        return agent

    async def get_state_and_messages_snapshots(self, config: Any) -> AsyncIterator[Any]:
        # The checkpoint holds the recent messages only; @ag-ui/client drops every message
        # a MESSAGES_SNAPSHOT leaves out, so the older ones go first (storage_messages).
        async for event in super().get_state_and_messages_snapshots(config):
            if event.type == EventType.MESSAGES_SNAPSHOT and self.older_messages is not None:
                thread_id = config["configurable"]["thread_id"]
                whole = await self.older_messages.conversation_agui(thread_id, event.messages)
                event = event.model_copy(update={"messages": whole})
            yield event

    def clone(self) -> TravelAgent:
        # The integration's clone inspects the class's signature on every run to decide
        # which flags it may pass; this class takes them all.
        return type(self)(
            name=self.name,
            graph=self.graph,
            description=self.description,
            config=dict(self.config) if self.config else None,
            enable_legacy_on_interrupt_event=self.enable_legacy_on_interrupt_event,
            emit_interrupt_outcome=self.emit_interrupt_outcome,
            emit_raw_events=self.emit_raw_events,
            subagent_visibility=self.subagent_visibility,
        )

    def get_schema_keys(self, config: Any) -> Any:
        graph = self.graph.shared if isinstance(self.graph, RunGraph) else self.graph
        keys = _schema_keys.get(graph)
        if keys is None:
            keys = _schema_keys[graph] = super().get_schema_keys(config)
        return keys

    def get_stream_kwargs(
        self,
        input: Any,
        subgraphs: bool = False,
        version: str = "v2",
        config: Any = None,
        context: dict[str, Any] | None = None,
        fork: Any = None,
    ) -> dict[str, Any]:
        # What the integration passes to `astream_events` (RunGraph's takes a context;
        # the integration looks that up in its signature on every run), plus one
        # checkpoint per run (at its end or its interrupt), not one per step: every
        # checkpoint stores the whole conversation (see checkpoint_pruning).
        kwargs: dict[str, Any] = {"input": input, "subgraphs": subgraphs, "version": version}
        configurable = config.get("configurable") if isinstance(config, dict) else None
        merged = {**(configurable if isinstance(configurable, dict) else {}), **(context or {})}
        if merged:
            kwargs["context"] = merged
        if config:
            kwargs["config"] = config
        if fork:
            kwargs.update(fork)
        kwargs["durability"] = "exit"
        return kwargs

    def get_state_snapshot(self, state: Any) -> Any:
        # Clients get trips, selection and search progress; messages have their own events
        # (the full message list in every snapshot would grow with the conversation).
        return {key: state[key] for key in STATE_KEYS if key in state}

    def _handle_single_event(self, event: Any, state: Any) -> AsyncIterator[Any]:
        # The integration iterates what this returns (`async for`). Only the chat node's
        # start and end need more than its own handling; any other event (mostly a
        # streamed token) goes straight to it, without a generator of this class around.
        kind = event.get("event")
        if kind in ("on_chain_start", "on_chain_end") and _is_node(event, "chat"):
            return self._handle_chat_event(kind, event, state)
        return cast(AsyncIterator[Any], super()._handle_single_event(event, state))

    async def _handle_chat_event(self, kind: str, event: Any, state: Any) -> AsyncIterator[Any]:
        # Calls this run made (a result of a call streamed in an earlier run, before an
        # approval, is in MESSAGES_SNAPSHOT: AG-UI wants a result after its call's start).
        called: set[str] = self.active_run.setdefault("travel_calls", set())
        if kind == "on_chain_end":
            output = event.get("data", {}).get("output")
            for message in output.get("messages", []) if isinstance(output, dict) else []:
                if isinstance(message, AIMessage):
                    called.update(c["id"] for c in message.tool_calls if c["id"])
        else:
            for result in _trailing_tool_results(event.get("data", {}).get("input")):
                if result.tool_call_id not in called:
                    continue
                called.discard(result.tool_call_id)  # sent once
                yield self._dispatch_event(
                    ToolCallResultEvent(
                        type=EventType.TOOL_CALL_RESULT,
                        tool_call_id=self._resolve_public_tool_call_id(result.tool_call_id),
                        message_id=self._resolve_public_message_id(
                            str(result.id or result.tool_call_id)
                        ),
                        content=normalize_tool_content(result.content),
                        role="tool",
                    )
                )
        async for out in super()._handle_single_event(event, state):
            yield out

    async def prepare_regenerate_stream(self, *args: Any, **kwargs: Any) -> Any:
        # The integration rewinds a thread (old trips, lost approvals) when a request
        # re-sends an earlier message. agui.py passes only the person's new message, so
        # this is never reached; should it be, the run fails instead of rewinding.
        raise RuntimeError("refusing to rewind a thread (time travel is not offered)")


def _is_node(event: dict[str, Any], name: str) -> bool:
    metadata = event.get("metadata") or {}
    return bool(event.get("name") == name and metadata.get("langgraph_node") == name)


def _trailing_tool_results(state: Any) -> list[ToolMessage]:
    """The tool results that end the conversation (those of the last tool call)."""
    messages = state.get("messages") if isinstance(state, dict) else None
    results: list[ToolMessage] = []
    for message in reversed(messages or []):
        if not isinstance(message, ToolMessage):
            if not isinstance(message, AIMessage):
                return []
            break
        results.append(message)
    return results[::-1]
