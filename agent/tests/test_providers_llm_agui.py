"""The real agent flow with LLM_PROVIDER=openai, through the AG-UI endpoint, against a real
OpenAI-compatible server process (aimock): streamed tool calls, approval, repairs of bad
tool arguments, and failures that end in a friendly RUN_ERROR."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from aimock_pytest._server import AIMockServer
from pydantic import SecretStr

from travel_agent.app import create_app
from travel_agent.errors import LLM_BAD_KEY, LLM_UNAVAILABLE, TOO_MANY_REPAIRS

from agent_kit import LLM_TEST_KEY, AgentClient, last, make_settings, new_thread, text_of

COLOSSEUM = {
    "id": "colosseum",
    "name": "Colosseum",
    "address": "Piazza del Colosseo, 1, Rome",
    "latitude": 41.8902,
    "longitude": 12.4922,
    "rating": 4.7,
    "description": "Roman amphitheatre",
}
PANTHEON = {
    "id": "pantheon",
    "name": "Pantheon",
    "address": "Piazza della Rotonda, Rome",
    "latitude": 41.8986,
    "longitude": 12.4769,
    "rating": 4.8,
    "description": "Roman temple, now a church",
}
ROME_TRIP = {
    "id": "rome-3-days",
    "name": "3 days in Rome",
    "center_latitude": 41.8967,
    "center_longitude": 12.4822,
    "zoom": 13,
    "places": [COLOSSEUM, PANTHEON],
}

AppFactory = Callable[..., Any]


@pytest.fixture
async def openai_agent(llm: AIMockServer, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Starts the real app on LLM_PROVIDER=openai pointed at aimock; yields a factory so a
    test can change settings (key, retries, timeout)."""
    opened: list[Any] = []

    async def start(**overrides: Any) -> AgentClient:
        values: dict[str, Any] = {
            "llm_provider": "openai",
            "openai_api_key": SecretStr(LLM_TEST_KEY),
            "openai_base_url": f"{llm.base_url}/v1",
            "travel_model": "gpt-test-mini",
            "llm_max_retries": 1,
            "llm_timeout_seconds": 10,
        }
        values.update(overrides)
        app = create_app(make_settings(tmp_path, **values))
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agent")
        opened.append((lifespan, http))
        return AgentClient(http)

    yield start
    for lifespan, http in reversed(opened):
        await http.aclose()
        await lifespan.__aexit__(None, None, None)


def call(call_id: str, name: str, arguments: Any) -> dict[str, Any]:
    return {"id": call_id, "name": name, "arguments": arguments}


def chat_requests(llm: AIMockServer) -> list[dict[str, Any]]:
    return [e for e in llm.get_journal() if e["path"] == "/v1/chat/completions"]


def tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in request["body"]["messages"] if m["role"] == "tool"]


async def test_plan_a_trip_with_streamed_tool_calls_and_approval(
    llm: AIMockServer, openai_agent: AppFactory
) -> None:
    llm.add_fixture(
        {"userMessage": "Plan 3 days in Rome", "hasToolResult": False},
        {
            "toolCalls": [
                {
                    "id": "call_search",
                    "name": "search_for_places",
                    "arguments": {"queries": ["museums in Rome"]},
                }
            ]
        },
        chunkSize=6,
    )
    llm.add_fixture(
        {"toolCallId": "call_search"},
        {"toolCalls": [call("call_add", "add_trips", {"trips": [ROME_TRIP]})]},
        chunkSize=20,
    )
    llm.add_fixture({"toolCallId": "call_add"}, {"content": "Done: your Rome trip is on the map."})
    client = await openai_agent()
    ready = (await client.http.get("/readyz")).json()
    assert ready["llm_provider"] == "openai"
    thread = new_thread()

    events = await client.run(thread, "Plan 3 days in Rome, I like museums")

    starts = [e for e in events if e["type"] == "TOOL_CALL_START"]
    assert [e["toolCallName"] for e in starts] == ["search_for_places", "add_trips"]
    search_args = [
        e["delta"]
        for e in events
        if e["type"] == "TOOL_CALL_ARGS" and e["toolCallId"] == starts[0]["toolCallId"]
    ]
    # Streamed as deltas; fragments that arrived together are one delta (openai_stream).
    assert search_args, "arguments were streamed"
    assert json.loads("".join(search_args)) == {"queries": ["museums in Rome"]}
    finished = last(events)
    assert finished["type"] == "RUN_FINISHED"
    assert finished["outcome"]["type"] == "interrupt"

    # What the model was sent: streaming, one tool call per turn, our tools, and then the
    # search results from the places provider as the tool result.
    first, second = chat_requests(llm)
    assert first["body"]["stream"] is True
    assert first["body"]["parallel_tool_calls"] is False
    assert first["body"]["model"] == "gpt-test-mini"
    assert {"search_for_places", "add_trips"} <= {
        t["function"]["name"] for t in first["body"]["tools"]
    }
    [result] = tool_results(second)
    found = json.loads(result["content"])["results"]
    assert found[0]["query"] == "museums in Rome"
    assert found[0]["places"], "the search results reached the model"

    data = await client.trips(thread)
    assert [t["id"] for t in data["trips"]] == ["1", "2"], "nothing changes before approval"
    pending = data["pending_approval"]
    assert pending["action"] == "add_trips"
    assert pending["changes"][0]["after"]["name"] == "3 days in Rome"

    events = await client.approve(thread)

    assert last(events)["type"] == "RUN_FINISHED"
    assert text_of(events) == "Done: your Rome trip is on the map."
    data = await client.trips(thread)
    assert data["pending_approval"] is None
    assert data["trips"][-1]["id"] == "rome-3-days"
    assert [p["name"] for p in data["trips"][-1]["places"]] == ["Colosseum", "Pantheon"]


async def test_arguments_that_do_not_validate_go_back_and_are_repaired(
    llm: AIMockServer, openai_agent: AppFactory
) -> None:
    broken = {**ROME_TRIP, "center_latitude": 123.0}
    llm.add_fixture(
        {"userMessage": "Plan Rome", "hasToolResult": False},
        {"toolCalls": [call("call_bad", "add_trips", {"trips": [broken]})]},
    )
    llm.add_fixture(
        {"toolCallId": "call_bad"},
        {"toolCalls": [call("call_good", "add_trips", {"trips": [ROME_TRIP]})]},
    )
    client = await openai_agent()
    thread = new_thread()

    events = await client.run(thread, "Plan Rome")

    assert last(events)["outcome"]["type"] == "interrupt"
    [error] = tool_results(chat_requests(llm)[1])
    assert error["tool_call_id"] == "call_bad"
    assert "center_latitude" in error["content"]
    data = await client.trips(thread)
    assert [t["id"] for t in data["trips"]] == ["1", "2"], "the invalid trip never reached state"
    assert data["pending_approval"]["changes"][0]["after"]["id"] == "rome-3-days"


async def test_arguments_that_are_not_json_end_after_two_failed_repairs(
    llm: AIMockServer, openai_agent: AppFactory
) -> None:
    # aimock only serves arguments that parse as JSON, so the model sends a JSON list where
    # the tool wants an object: LangChain files it under invalid_tool_calls, as it does
    # for arguments it cannot parse at all.
    llm.add_fixture(
        {"userMessage": "Plan Lisbon"},
        {"toolCalls": [call("call_list", "search_for_places", '["museums in Lisbon"]')]},
    )
    client = await openai_agent()
    thread = new_thread()

    events = await client.run(thread, "Plan Lisbon")

    requests = chat_requests(llm)
    assert len(requests) == 3, "the first call and two repair attempts"
    for request in requests[1:]:
        errors = tool_results(request)
        assert errors and "not valid JSON" in errors[-1]["content"]
    assert last(events)["type"] == "RUN_FINISHED"
    assert TOO_MANY_REPAIRS in text_of(events)
    assert (await client.trips(thread))["pending_approval"] is None


async def test_server_errors_end_in_a_friendly_run_error_and_the_thread_goes_on(
    llm: AIMockServer, openai_agent: AppFactory
) -> None:
    for _ in range(2):  # the try and its one retry (LLM_MAX_RETRIES=1)
        llm.next_error(500, {"message": "The server had an error while processing your request."})
    llm.on_message("Are you back?", {"content": "Yes, where would you like to go?"})
    client = await openai_agent()
    thread = new_thread()
    before = await client.trips(thread)

    events = await client.run(thread, "Plan a trip to Rome")

    assert last(events)["type"] == "RUN_ERROR"
    assert last(events)["message"] == LLM_UNAVAILABLE
    assert len(chat_requests(llm)) == 2
    after = await client.trips(thread)
    assert after["trips"] == before["trips"] and after["pending_approval"] is None

    events = await client.run(thread, "Are you back?")

    assert last(events)["type"] == "RUN_FINISHED"
    assert text_of(events) == "Yes, where would you like to go?"


async def test_a_read_timeout_ends_in_a_friendly_run_error(
    llm: AIMockServer, openai_agent: AppFactory
) -> None:
    llm.on_message("slow", {"content": "Too late."}, latency=3000)
    llm.on_message("quick", {"content": "Here I am."})
    client = await openai_agent(llm_timeout_seconds=0.5, llm_max_retries=0)
    thread = new_thread()

    events = await client.run(thread, "slow answer please")
    assert last(events)["type"] == "RUN_ERROR"
    assert last(events)["message"] == LLM_UNAVAILABLE
    assert last(events)["code"] == "llm_unavailable"

    events = await client.run(thread, "quick answer please")
    assert text_of(events) == "Here I am."


async def test_wrong_key_says_so_and_the_service_stays_ready(
    llm: AIMockServer, openai_agent: AppFactory
) -> None:
    wrong = "sk-wrong-key-abcdef0123456789"
    client = await openai_agent(openai_api_key=SecretStr(wrong))

    events = await client.run(new_thread(), "Plan a trip to Rome")

    assert last(events)["type"] == "RUN_ERROR"
    assert last(events)["message"] == LLM_BAD_KEY
    assert last(events)["code"] == "llm_auth"
    assert wrong not in json.dumps(events)
    ready = await client.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert wrong not in ready.text
