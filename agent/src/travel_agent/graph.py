"""The planning graph: chat node, search node, trips node (with approval), wired together.

During a run, only the search node (search progress) and the trips node (trips and
selection, after approval) write anything but messages. (Outside runs, `trips_api.py` writes
a person's manual edits and `runtime.py` a new thread's first values.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.callbacks.manager import adispatch_custom_event
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import interrupt

from . import errors
from .demo_trips import demo_trips
from .llm.errors import describe_llm_error
from .metrics import APPROVALS
from .models import Place
from .places.base import PlacesProvider, SearchResult
from .prompts import system_prompt
from .state import STATE_KEYS, AgentState, InputState, OutputState
from .tools import CHANGE_TOOLS, SearchForPlacesArgs, SelectTripArgs, tool_specs
from .tracing import traced
from .trip_ops import (
    Limits,
    ToolArgError,
    apply,
    parse_args,
    propose,
    trips_from_state,
    trips_to_state,
)

log = logging.getLogger(__name__)

RESULTS_PER_QUERY = 10  # the original used the first 10 results of each query
MAX_REPAIRS = 2  # failed tool calls the model may fix before the person is told


@dataclass(frozen=True)
class GraphDeps:
    model: BaseChatModel
    places: PlacesProvider
    limits: Limits
    demo_trips: bool
    max_context_messages: int


def initial_values(with_demo: bool) -> dict[str, Any]:
    trips = demo_trips() if with_demo else []
    return {
        "trips": trips_to_state(trips),
        "selected_trip_id": trips[0].id if trips else None,
        "search_progress": [],
    }


def _context(messages: list[AnyMessage], keep: int) -> list[AnyMessage]:
    """At most the last `keep` messages, starting at a user message when there is one,
    else at the first message that is not a tool result (never a result without its call).
    """
    if len(messages) <= keep:
        return messages
    tail = messages[-keep:]
    for i, m in enumerate(tail):
        if isinstance(m, HumanMessage):
            return tail[i:]
    for i, m in enumerate(tail):
        if not isinstance(m, ToolMessage):
            return tail[i:]
    return []


def _ends_with_user(messages: list[AnyMessage]) -> bool:
    return bool(messages) and isinstance(messages[-1], HumanMessage)


def _failed_calls_since_user(messages: list[AnyMessage]) -> int:
    count = 0
    for m in reversed(messages):
        if isinstance(m, HumanMessage):
            break
        if isinstance(m, ToolMessage) and m.status == "error":
            count += 1
    return count


def _last_tool_call(state: AgentState) -> dict[str, Any]:
    last = state["messages"][-1]
    assert isinstance(last, AIMessage) and (last.tool_calls or last.invalid_tool_calls)
    if last.tool_calls:
        return dict(last.tool_calls[0])
    # Arguments that were not a JSON object: kept raw, so parse_args tells the model so.
    bad = last.invalid_tool_calls[0]
    return {"name": bad.get("name") or "", "args": bad.get("args") or "", "id": bad.get("id")}


def route_after_chat(state: AgentState) -> Literal["search", "trips", "__end__"]:
    last = state["messages"][-1]
    if isinstance(last, AIMessage) and (last.tool_calls or last.invalid_tool_calls):
        name = (last.tool_calls or last.invalid_tool_calls)[0]["name"]
        return "search" if name == "search_for_places" else "trips"
    return "__end__"


async def _route_after_chat(state: AgentState) -> Literal["search", "trips", "__end__"]:
    # The graph's branch: a coroutine, which LangGraph awaits in the run's task (it runs a
    # plain function in a thread of the default executor: a thread hand-off per step).
    return route_after_chat(state)


async def emit_state(values: dict[str, Any], config: RunnableConfig) -> None:
    """The state as the client shows it, sent before the node returns (search progress)."""
    snapshot = {k: values.get(k) for k in STATE_KEYS}
    await adispatch_custom_event("manually_emit_state", snapshot, config=config)


class Nodes:
    """The graph's nodes, each `(state, config) -> update`, with what they depend on: a
    test can build one with a scripted model and call a node alone."""

    def __init__(self, deps: GraphDeps) -> None:
        self.deps = deps
        self.model = deps.model.bind_tools(tool_specs(), parallel_tool_calls=False)

    async def chat(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        deps = self.deps
        update: dict[str, Any] = {}
        if state.get("trips") is None:  # a thread that never got its initial values
            update = initial_values(deps.demo_trips)
        elif state.get("search_progress") and _ends_with_user(state["messages"]):
            update = {"search_progress": []}  # a new turn: the last turn's searches are done
        if state.get("trips") and any("days" not in t for t in state["trips"]):
            # Stored before trips had days: written back whole, so clients see `days: []`.
            update["trips"] = trips_to_state(trips_from_state(state["trips"]))
        values = {**state, **update}
        if _failed_calls_since_user(state["messages"]) > MAX_REPAIRS:
            reply = AIMessage(content=errors.TOO_MANY_REPAIRS, id=f"repairs-{uuid.uuid4().hex}")
            # Not from the model, so it is not streamed by itself: emit it as text.
            await adispatch_custom_event(
                "manually_emit_message",
                {"message_id": reply.id, "message": reply.content},
                config=config,
            )
            return {**update, "messages": [reply]}
        prompt = system_prompt(trips_from_state(values["trips"]), values["selected_trip_id"])
        context = _context(state["messages"], deps.max_context_messages)
        try:
            response = await self.model.ainvoke([SystemMessage(content=prompt), *context], config)
        except Exception as exc:
            # The run ends in RUN_ERROR with a sentence for the person; nothing was written,
            # so the thread takes the next message as usual.
            log.warning("model call failed", exc_info=exc)
            raise errors.UserFacingError(describe_llm_error(exc)) from exc
        if isinstance(response, AIMessage) and len(response.tool_calls) > 1:
            # One tool call per turn: the rest would be executed without being seen.
            response = response.model_copy(update={"tool_calls": response.tool_calls[:1]})
        return {**update, "messages": [response]}

    async def search(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        call = _last_tool_call(state)
        try:
            args = parse_args(call["name"], call["args"])
        except ToolArgError as exc:
            return {"messages": [_tool_error(call, str(exc))]}
        assert isinstance(args, SearchForPlacesArgs)
        progress = [{"query": q, "done": False} for q in args.queries]
        values: dict[str, Any] = {**state, "search_progress": progress}
        await emit_state(values, config)

        trip = next((t for t in trips_from_state(state.get("trips")) if t.id == args.trip_id), None)
        near = (trip.center_latitude, trip.center_longitude) if trip else None

        async def one(i: int, query: str) -> SearchResult:
            result = await self.deps.places.search(query, near=near, limit=RESULTS_PER_QUERY)
            progress[i] = {"query": query, "done": True}
            await emit_state(values, config)
            return result

        results = await asyncio.gather(*(one(i, q) for i, q in enumerate(args.queries)))
        content = _search_content(results)
        return {
            "messages": [ToolMessage(content=content, tool_call_id=call["id"], name=call["name"])],
            "search_progress": progress,
        }

    async def trips(self, state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        call = _last_tool_call(state)
        trips = trips_from_state(state.get("trips"))
        selected = state.get("selected_trip_id")
        try:
            args = parse_args(call["name"], call["args"])
            if isinstance(args, SelectTripArgs):
                if args.trip_id not in {t.id for t in trips}:
                    raise ToolArgError(f"Unknown trip id {args.trip_id!r}.")
                name = next(t.name for t in trips if t.id == args.trip_id)
                msg = ToolMessage(
                    content=f"Selected trip {name!r}.", tool_call_id=call["id"], name=call["name"]
                )
                return {"selected_trip_id": args.trip_id, "messages": [msg]}
            if call["name"] not in CHANGE_TOOLS:
                raise ToolArgError(f"{call['name']} is not a trip tool.")
            proposal = propose(args, trips, self.deps.limits)
        except ToolArgError as exc:
            return {"messages": [_tool_error(call, str(exc))]}

        # Pauses the run until the person decides; on resume this node runs again from the
        # top, so everything above must stay deterministic.
        answer = interrupt({**proposal.payload(), "toolCallId": call["id"]})
        approved, place_ids = decision_from_resume(answer)
        if not approved:
            APPROVALS.labels(proposal.action, "cancelled").inc()
            msg = ToolMessage(
                content=(
                    "The user cancelled this operation. Do not retry it; "
                    "ask what they would like to do instead."
                ),
                tool_call_id=call["id"],
                name=call["name"],
                artifact={
                    "decision": "cancelled",
                    "approved_place_ids": [],
                    "proposal": proposal.payload(),
                },
            )
            return {"messages": [msg]}
        applied = apply(proposal, trips, selected, place_ids)
        APPROVALS.labels(proposal.action, applied.decision).inc()
        msg = ToolMessage(
            content=applied.summary,
            tool_call_id=call["id"],
            name=call["name"],
            artifact={
                "decision": applied.decision,
                "approved_place_ids": applied.approved_place_ids,
                "proposal": proposal.payload(),
            },
        )
        return {
            "trips": trips_to_state(applied.trips),
            "selected_trip_id": applied.selected_trip_id,
            "messages": [msg],
        }


def build_graph(
    deps: GraphDeps, checkpointer: BaseCheckpointSaver[Any]
) -> CompiledStateGraph[Any, Any, Any, Any]:
    nodes = Nodes(deps)
    builder = StateGraph(AgentState, input_schema=InputState, output_schema=OutputState)
    llm_type = getattr(deps.model, "_llm_type", None)
    builder.add_node("chat", traced("llm.chat", nodes.chat, **{"llm.type": llm_type}))
    builder.add_node("search", nodes.search)
    builder.add_node("trips", nodes.trips)
    builder.add_edge(START, "chat")
    builder.add_conditional_edges("chat", _route_after_chat, ["search", "trips", END])
    builder.add_edge("search", "chat")
    builder.add_edge("trips", "chat")
    return builder.compile(checkpointer=checkpointer)


def _tool_error(call: dict[str, Any], text: str) -> ToolMessage:
    return ToolMessage(content=text, tool_call_id=call["id"], name=call["name"], status="error")


def _search_content(results: list[SearchResult]) -> str:
    """Tool result for the model: per query, the first places not already listed."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for r in results:
        places: list[Place] = []
        for p in r.places:
            if p.id not in seen:
                seen.add(p.id)
                places.append(p)
        entry: dict[str, Any] = {
            "query": r.query,
            "places": [p.model_dump() for p in places[:RESULTS_PER_QUERY]],
        }
        if r.error:
            entry["error"] = r.error
        if r.note:
            entry["note"] = r.note
        out.append(entry)
    return json.dumps({"results": out}, ensure_ascii=False)


def decision_from_resume(answer: Any) -> tuple[bool, list[str] | None]:
    """Read the person's decision from a resume value (see docs/agent-api.md)."""
    if not isinstance(answer, dict) or answer.get("__agui_cancelled__"):
        return False, None
    if answer.get("approved") is not True:
        return False, None
    ids = answer.get("place_ids")
    return True, [str(i) for i in ids] if isinstance(ids, list) else None


def pending_proposal(tasks: Any) -> tuple[str, dict[str, Any]] | None:
    """The interrupt id and proposal payload awaiting approval (from a state's tasks)."""
    for task in tasks or ():
        for intr in getattr(task, "interrupts", ()) or ():
            if isinstance(intr.value, dict) and intr.value.get("reason") == "trips_approval":
                return intr.id, intr.value
    return None
