"""The graph's nodes called one at a time, without a graph, a checkpointer or a server:
each takes a state and gives back the update LangGraph would apply."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableLambda

from travel_agent.graph import GraphDeps, Nodes, initial_values, route_after_chat
from travel_agent.trip_ops import Limits, trips_from_state

from scripted import RecordingPlaces, ScriptedModel, call


def nodes(script: list[AIMessage] | None = None) -> tuple[Nodes, ScriptedModel, RecordingPlaces]:
    model = ScriptedModel(script=script or [], seen=[])
    places = RecordingPlaces()
    deps = GraphDeps(
        model=model, places=places, limits=Limits(), demo_trips=True, max_context_messages=40
    )
    return Nodes(deps), model, places


def state_with(*messages: Any) -> dict[str, Any]:
    return {**initial_values(True), "messages": list(messages)}


async def test_the_trips_node_selects_a_known_trip_without_approval() -> None:
    node, _, _ = nodes()
    state = state_with(HumanMessage("Show me the first trip"))
    first = trips_from_state(state["trips"])[0]
    state["messages"].append(call("select_trip", {"trip_id": first.id}))
    update = await node.trips(state, {})
    assert update["selected_trip_id"] == first.id
    [reply] = update["messages"]
    assert isinstance(reply, ToolMessage) and reply.status == "success"
    assert reply.content == f"Selected trip {first.name!r}." and reply.tool_call_id == "call-0"
    assert "trips" not in update  # selecting changes no trip


async def test_the_trips_node_tells_the_model_about_an_unknown_trip() -> None:
    node, _, _ = nodes()
    state = state_with(HumanMessage("Show trip x"), call("select_trip", {"trip_id": "nope"}))
    update = await node.trips(state, {})
    [reply] = update["messages"]
    assert reply.status == "error" and "Unknown trip id 'nope'" in reply.content
    assert set(update) == {"messages"}


async def test_the_search_node_searches_near_the_trip_and_reports_progress() -> None:
    node, _, places = nodes()
    state = state_with(HumanMessage("Museums please"))
    trip = trips_from_state(state["trips"])[0]
    args = {"trip_id": trip.id, "queries": ["museums", "churches"]}
    state["messages"].append(call("search_for_places", args))
    # Inside a runnable, as in a graph: the node sends its progress as custom events.
    update = await RunnableLambda(node.search).ainvoke(state)
    assert places.calls == [
        ("museums", (trip.center_latitude, trip.center_longitude)),
        ("churches", (trip.center_latitude, trip.center_longitude)),
    ]
    assert update["search_progress"] == [
        {"query": "museums", "done": True},
        {"query": "churches", "done": True},
    ]
    assert '"note": "nothing here"' in update["messages"][0].content


async def test_the_chat_node_gives_a_new_thread_its_first_values_and_the_models_reply() -> None:
    reply = AIMessage(content="Where would you like to go?", id="ai-1")
    node, model, _ = nodes([reply])
    update = await node.chat({"messages": [HumanMessage("Hi", id="h-1")]}, {})
    assert update["messages"] == [reply]
    assert trips_from_state(update["trips"]) and update["selected_trip_id"]
    assert [m.content for m in model.seen[0][1:]] == ["Hi"]  # after the system prompt
    assert route_after_chat({**update, "messages": [reply]}) == "__end__"
