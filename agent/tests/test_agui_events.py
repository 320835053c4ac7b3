"""The events the AG-UI integration reads come out of `run_events` as `astream_events`
would send them, in the same order; a stream's ready deltas are joined per message, and
each event is written exactly as ag-ui's encoder writes it."""

from __future__ import annotations

from typing import Any, TypedDict

import pytest
from ag_ui.core import (
    AssistantMessage,
    CustomEvent,
    FunctionCall,
    Interrupt,
    MessagesSnapshotEvent,
    RunErrorEvent,
    RunFinishedEvent,
    RunFinishedInterruptOutcome,
    RunStartedEvent,
    StateSnapshotEvent,
    StepStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
    ToolCall,
    ToolCallArgsEvent,
    ToolCallResultEvent,
    ToolMessage,
    UserMessage,
)
from ag_ui.encoder import EventEncoder
from langchain_core.callbacks.manager import adispatch_custom_event
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from travel_agent.agui_batches import coalesced, encoded
from travel_agent.agui_events import run_events

READ = {"on_chain_start", "on_chain_end", "on_chat_model_stream", "on_chat_model_end"}


class _State(TypedDict, total=False):
    text: str
    progress: list[dict[str, Any]]


def _graph(fail: bool = False) -> Any:
    model = GenericFakeChatModel(messages=iter([AIMessage(content="Rome has three sights")]))

    async def talk(state: _State, config: RunnableConfig) -> dict[str, Any]:
        progress = [{"query": "sights", "done": False}]
        await adispatch_custom_event("manually_emit_state", {"progress": progress}, config=config)
        progress[0] = {"query": "sights", "done": True}  # changed after it was sent
        reply = await model.ainvoke("hi", config)
        return {"text": str(reply.content), "progress": progress}

    def after(state: _State) -> dict[str, Any]:
        if fail:
            raise RuntimeError("the node failed")
        return {"text": state["text"] + "!"}

    builder = StateGraph(_State)
    builder.add_node("talk", talk)
    builder.add_node("after", after)
    builder.add_edge(START, "talk")
    builder.add_edge("talk", "after")
    builder.add_edge("after", END)
    return builder.compile(checkpointer=InMemorySaver())


def _essence(event: dict[str, Any]) -> tuple[Any, ...]:
    data = event["data"]
    node = event["metadata"].get("langgraph_node")
    if event["event"] == "on_chat_model_stream":
        data = data["chunk"].content
    elif event["event"] == "on_chat_model_end":
        data = data["output"].content
    elif event["event"] == "on_chain_end":
        data = data["output"]
    return event["event"], event["name"], node, data


def _read_by_integration(event: dict[str, Any]) -> bool:
    if event["event"] == "on_custom_event":
        return True
    if event["event"] not in READ:
        return False
    if event["event"].startswith("on_chain"):  # the graph and its nodes only
        return not event["parent_ids"] or event["name"] == event["metadata"].get("langgraph_node")
    return True


async def test_the_events_read_are_those_of_astream_events_in_order() -> None:
    config: Any = {"configurable": {"thread_id": "t-events-a"}}
    expected = [
        _essence(e)
        async for e in _graph().astream_events({"text": ""}, config, version="v2")
        if _read_by_integration(e)
    ]
    config = {"configurable": {"thread_id": "t-events-b"}}
    got = [_essence(e) async for e in run_events(_graph(), {"text": ""}, config, version="v2")]

    # The custom event shows what was sent, not what the node changed afterwards.
    custom = [e for e in got if e[0] == "on_custom_event"]
    assert custom == [
        (
            "on_custom_event",
            "manually_emit_state",
            "talk",
            {"progress": [{"query": "sights", "done": False}]},
        )
    ]
    assert [e for e in got if e[0] != "on_custom_event"] == [
        e for e in expected if e[0] != "on_custom_event"
    ]
    assert [e[0] for e in got] == [e[0] for e in expected]
    assert [e for e in got if e[0] == "on_chat_model_stream"]  # the model streamed


async def test_a_failed_run_raises_after_its_events() -> None:
    config: Any = {"configurable": {"thread_id": "t-events-fail"}}
    seen: list[str] = []
    with pytest.raises(RuntimeError, match="the node failed"):
        async for event in run_events(_graph(fail=True), {"text": ""}, config):
            seen.append(f"{event['event']}:{event['name']}")
    assert "on_chain_end:talk" in seen
    assert "on_chain_end:after" not in seen


def test_ready_deltas_are_joined_per_message_or_call() -> None:
    events = [
        StepStartedEvent(step_name="chat"),
        TextMessageContentEvent(message_id="m1", delta="Rome "),
        TextMessageContentEvent(message_id="m1", delta="has "),
        TextMessageContentEvent(message_id="m2", delta="sights"),
        TextMessageEndEvent(message_id="m2"),
        ToolCallArgsEvent(tool_call_id="c1", delta='{"a":'),
        ToolCallArgsEvent(tool_call_id="c1", delta="1}"),
        ToolCallArgsEvent(tool_call_id="c2", delta="{}"),
    ]
    joined = coalesced(events)
    assert [(e.type, getattr(e, "delta", None)) for e in joined] == [
        ("STEP_STARTED", None),
        ("TEXT_MESSAGE_CONTENT", "Rome has "),
        ("TEXT_MESSAGE_CONTENT", "sights"),
        ("TEXT_MESSAGE_END", None),
        ("TOOL_CALL_ARGS", '{"a":1}'),
        ("TOOL_CALL_ARGS", "{}"),
    ]
    assert [getattr(e, "message_id", None) for e in joined[1:3]] == ["m1", "m2"]


def test_events_are_encoded_as_the_sdk_encodes_them() -> None:
    call = ToolCall(id="c1", function=FunctionCall(name="add_trips", arguments='{"a": 1}'))
    events = [
        RunStartedEvent(thread_id="t1", run_id="r1"),
        RunStartedEvent(thread_id="t1", run_id="r1", parent_run_id=None, extra_field=None),
        StepStartedEvent(step_name="chat"),
        TextMessageStartEvent(message_id="m1", role="assistant"),
        TextMessageContentEvent(message_id="m1", delta='Rome \u00e9 "quoted"\n'),
        StateSnapshotEvent(snapshot={"trips": [{"id": "1", "note": None, "lat": float("nan")}]}),
        CustomEvent(name="manually_emit_state", value=None),
        ToolCallResultEvent(message_id="m2", tool_call_id="c1", content="{}", role="tool"),
        MessagesSnapshotEvent(
            messages=[
                UserMessage(id="u1", role="user", content="Plan a trip"),
                AssistantMessage(id="a1", role="assistant", tool_calls=[call]),
                ToolMessage(id="m2", role="tool", tool_call_id="c1", content="{}"),
            ]
        ),
        RunFinishedEvent(thread_id="t1", run_id="r1", result={"ok": None}),
        RunFinishedEvent(
            thread_id="t1",
            run_id="r1",
            outcome=RunFinishedInterruptOutcome(
                type="interrupt",
                interrupts=[Interrupt(id="i1", reason="approval", metadata={"x": None})],
            ),
        ),
        RunErrorEvent(message="The agent failed.", code="internal"),
    ]
    encoder = EventEncoder()
    for event in events:
        assert encoded(event) == encoder.encode(event)
