"""What bad input gets: a clear refusal, nothing stored, the service still up."""

from __future__ import annotations

import json

import pytest

from agent_kit import PLAN_TEXT, AgentClient, new_thread


async def _unchanged(client: AgentClient, thread: str, before: dict) -> None:
    assert await client.trips(thread) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/copilotkit"),
        ("POST", f"/threads/{new_thread()}/trips"),
        ("PUT", f"/threads/{new_thread()}/selected-trip"),
        ("POST", f"/threads/{new_thread()}/trips/1/place-moves"),
    ],
)
@pytest.mark.parametrize(
    "body", [b"{not json", b'{"name": "caf\xe9"}'], ids=["malformed", "latin-1"]
)
async def test_a_body_that_is_not_json_is_400_as_documented(
    client: AgentClient, method: str, path: str, body: bytes
) -> None:
    r = await client.http.request(
        method, path, content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json() == {"detail": "The request body is not valid JSON."}


async def test_json_nested_too_deeply_is_422_on_every_route(client: AgentClient) -> None:
    for path in ("/copilotkit", f"/threads/{new_thread()}/trips"):
        r = await client.http.post(
            path, content=b"[" * 100_000, headers={"content-type": "application/json"}
        )
        assert r.status_code == 422, path
        assert r.json() == {"detail": "The request body is nested too deeply."}


async def test_invalid_run_agent_input_is_422(client: AgentClient) -> None:
    r = await client.http.post("/copilotkit", json={"threadId": "abcdefgh", "messages": "hi"})
    assert r.status_code == 422
    assert "not a valid AG-UI RunAgentInput" in r.json()["detail"]
    assert "runId" in r.json()["detail"] or "run_id" in r.json()["detail"]


async def test_body_over_one_mib_is_413(client: AgentClient) -> None:
    body = json.dumps(
        {"threadId": new_thread(), "runId": "r", "messages": [], "x": "a" * 1_100_000}
    )
    r = await client.http.post(
        "/copilotkit", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert "too large" in r.json()["detail"]


async def test_chunked_body_over_the_limit_is_413(client: AgentClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"a" * 100_000

    r = await client.http.post("/copilotkit", content=chunks())
    assert r.status_code == 413


async def test_message_over_10000_characters_is_refused_and_not_stored(
    client: AgentClient,
) -> None:
    thread = new_thread()
    before = await client.trips(thread)
    events = await client.run(thread, "a" * 10_001, expect=422)
    assert "too long" in events[0]["detail"]
    history = (await client.http.get(f"/threads/{thread}/history")).json()["items"]
    assert history == []
    await _unchanged(client, thread, before)


async def test_bad_thread_id_is_422(client: AgentClient) -> None:
    events = await client.run("../../etc", "hi", expect=422)
    assert "threadId" in events[0]["detail"]


@pytest.mark.parametrize(
    ("plan_first", "interrupt_id", "says"),
    [(False, "nope", "no change waiting"), (True, "stale-id", "no longer pending")],
    ids=["nothing-pending", "another-interrupt"],
)
async def test_resume_of_an_interrupt_not_pending_is_refused(
    client: AgentClient, plan_first: bool, interrupt_id: str, says: str
) -> None:
    thread = new_thread()
    if plan_first:
        await client.run(thread, PLAN_TEXT)
    before = await client.trips(thread)
    events = await client.run(
        thread,
        resume=[{"interruptId": interrupt_id, "status": "resolved", "payload": {"approved": True}}],
        expect=409,
    )
    assert says in events[0]["detail"]
    await _unchanged(client, thread, before)


async def test_resume_naming_places_not_proposed_is_refused(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, PLAN_TEXT)
    before = await client.trips(thread)
    pending = before["pending_approval"]
    events = await client.run(
        thread,
        resume=[
            {
                "interruptId": pending["interrupt_id"],
                "status": "resolved",
                "payload": {"approved": True, "place_ids": ["not-a-proposed-place"]},
            }
        ],
        expect=422,
    )
    assert "not-a-proposed-place" in events[0]["detail"]
    await _unchanged(client, thread, before)  # still pending, nothing applied


async def test_new_message_while_approval_pending_is_refused(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, PLAN_TEXT)
    before = await client.trips(thread)
    events = await client.run(thread, "Delete the NYC trip", expect=409)
    assert "approve or cancel" in events[0]["detail"]
    await _unchanged(client, thread, before)


async def test_client_state_and_props_cannot_change_trips(client: AgentClient) -> None:
    thread = new_thread()
    before = await client.trips(thread)
    hostile = {"trips": [], "selected_trip_id": None}
    body = {
        "threadId": thread,
        "runId": "run-x",
        "messages": [{"id": "m-x", "role": "user", "content": "hello"}],
        "state": hostile,
        "tools": [],
        "context": [],
        "forwardedProps": hostile,
    }
    r = await client.http.post("/copilotkit", json=body)
    assert r.status_code == 200
    await _unchanged(client, thread, before)
