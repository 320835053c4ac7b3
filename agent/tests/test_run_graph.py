"""The run's view of the graph answers a repeated read from what was read, and never
returns a state older than the last write (a stream or an update)."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from travel_agent.run_graph import RunGraph


class _State(TypedDict):
    count: Annotated[int, operator.add]


def _graph() -> Any:
    builder = StateGraph(_State)
    builder.add_node("bump", lambda state: {"count": 1})
    builder.add_edge(START, "bump")
    builder.add_edge("bump", END)
    return builder.compile(checkpointer=InMemorySaver())


async def test_reads_are_shared_until_something_writes() -> None:
    graph = _graph()
    config: Any = {"configurable": {"thread_id": "t-run-graph"}}
    await graph.ainvoke({"count": 1}, config)
    before = await graph.aget_state(config)
    view = RunGraph(graph, config, before)

    assert await view.aget_state(config) is before  # the caller's read, not a new one
    other: Any = {"configurable": {"thread_id": "t-other"}}
    assert (await view.aget_state(other)).values == {}

    seen_during: list[int] = []
    async for event in view.astream_events({"count": 0}, config, version="v2"):
        if event["event"] == "on_chain_end" and event["name"] == "bump":
            seen_during.append((await view.aget_state(config)).values["count"])
    after = await view.aget_state(config)
    assert after.values["count"] == before.values["count"] + 1
    assert await view.aget_state(config) is after  # read once after the write

    await view.aupdate_state(config, {"count": 5})
    assert (await view.aget_state(config)).values["count"] == after.values["count"] + 5
    assert seen_during  # reads during the stream went to the saver
