"""What people wrote into places and trips is never Markdown in the assistant's reply,
a body that is not JSON gets the documented 400 (issue 9, item 5), and an agent that cannot
read the ui's own body is not blamed on the person."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from ui_harness import Browser

PHISH = "[Log in again](https://evil.example)"


async def test_a_place_named_like_a_link_is_not_a_link_in_the_reply(browser: Browser) -> None:
    added = await browser.http.post(
        "/api/trips/1/places",
        json={"name": PHISH, "latitude": 40.75, "longitude": -73.99},
        headers=browser.headers(),
    )
    assert added.status_code == 201, added.text
    events = await browser.chat("List my trips")
    rendered = [e["value"]["html"] for e in events if e.get("name") == "travel_ui.markdown"]
    history = (await browser.http.get("/api/history")).json()["items"]
    rendered += [i["html"] for i in history if i.get("role") == "assistant"]
    quoting = [html for html in rendered if "evil.example" in html]
    assert quoting, "the reply lists the place"
    for html in quoting:
        assert "<a" not in html and "href" not in html
        assert PHISH in html  # shown as the text it is


@pytest.mark.parametrize("path", ["/api/chat", "/api/trips/1/places"])
@pytest.mark.parametrize("body", [b'{"message": "hi"', b'{"message": "caf\xe9"}'], ids=str)
async def test_a_body_that_is_not_json_gets_400(browser: Browser, path: str, body: bytes) -> None:
    answer = await browser.http.post(
        path,
        content=body,
        headers={**browser.headers(), "content-type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"detail": "The request body is not valid JSON."}


class _AgentCannotReadPatches(httpx.AsyncBaseTransport):
    """The real agent, except that it cannot read the body of a PATCH (a ui bug)."""

    def __init__(self, agent: httpx.AsyncBaseTransport) -> None:
        self.agent = agent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            return httpx.Response(400, json={"detail": "The request body is not valid JSON."})
        return await self.agent.handle_async_request(request)


async def test_an_agent_that_cannot_read_the_ui_s_body_is_not_the_person_s_fault(
    agent_app: FastAPI,
    make_ui: Callable[..., FastAPI],
    make_browser: Callable[[FastAPI], Browser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The person's body was JSON (the ui checked it): the agent's 400 is the ui's fault,
    so the person is not told their request was not JSON."""
    transport = _AgentCannotReadPatches(httpx.ASGITransport(app=agent_app))
    browser = make_browser(make_ui(transport=transport))
    await browser.open_page()
    answer = await browser.http.patch(
        "/api/trips/1/places/1", json={"name": "Renamed"}, headers=browser.headers()
    )
    assert answer.status_code == 502, answer.text
    assert answer.json() == {"detail": "The planner could not do that. Please try again."}
    assert "the agent could not read our request body" in caplog.text
