"""Small refusals (issue 9, item 5): whole thread ids only, a complete `Allow` on 405,
and a chat message that is empty or not text is refused with a sentence, never stored."""

from __future__ import annotations

import json

import pytest

from travel_agent.client_messages import EMPTY, NOT_TEXT

from agent_kit import AgentClient, new_thread


async def test_a_thread_id_with_a_trailing_newline_is_refused(client: AgentClient) -> None:
    thread = "abcdefgh"
    for path in (f"/threads/{thread}%0A/trips", f"/threads/{thread}%0A/history"):
        answer = await client.http.get(path)
        assert answer.status_code == 422, path
        assert "8 to 128" in answer.json()["detail"]
    body = {"threadId": thread + "\n", "runId": "r", "messages": []}
    answer = await client.http.post("/copilotkit", json=body)
    assert answer.status_code == 422
    assert "8 to 128" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/copilotkit", "POST"),
        ("GET", "/copilotkit", "POST"),
        ("POST", "/healthz", "GET"),
        ("PUT", "/threads/abcdefgh/trips/1/places/2", "PATCH, DELETE"),
        ("DELETE", "/threads/abcdefgh/selected-trip", "PUT"),
    ],
)
async def test_405_lists_the_allowed_methods(
    client: AgentClient, method: str, path: str, allowed: str
) -> None:
    answer = await client.http.request(method, path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allowed


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("\x00", EMPTY),
        ("\x00\x00\x00", EMPTY),
        ("\u200b\u200c\u200d\ufeff", EMPTY),
        ("\u2060 \t\n", EMPTY),
        ("", EMPTY),
        ("hello \ud800 there", NOT_TEXT),
        ("\udfff", NOT_TEXT),
    ],
    ids=["nul", "nuls", "zero-width", "joiner-and-spaces", "nothing", "surrogate", "low-surrogate"],
)
async def test_a_message_that_is_empty_or_not_text_is_refused(
    client: AgentClient, content: str, detail: str
) -> None:
    thread = new_thread()
    await client.run(thread, "List my trips")
    items = (await client.http.get(f"/threads/{thread}/history")).json()["items"]
    body = {
        "threadId": thread,
        "runId": "r",
        "messages": [{"id": "m-new", "role": "user", "content": content}],
    }
    # As JSON escapes (\u0000, \ud800), the way a client sends them.
    answer = await client.http.post(
        "/copilotkit", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json() == {"detail": detail}
    assert (await client.http.get(f"/threads/{thread}/history")).json()["items"] == items
