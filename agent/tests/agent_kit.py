"""Helpers for the agent tests: settings, an AG-UI client over HTTP, event helpers, and
what every places provider promises.

Kept out of conftest.py so that test modules can import them by a name no other test
folder uses."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import respx

from travel_agent.places.base import PlacesProvider
from travel_agent.settings import Settings

LLM_TEST_KEY = "sk-test-aimock-key"


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "llm_provider": "offline",
        "places_provider": "offline",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class AgentClient:
    """Talks to the app the way an AG-UI client does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def run(
        self,
        thread_id: str,
        text: str | None = None,
        *,
        resume: list[dict[str, Any]] | None = None,
        expect: int = 200,
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {
            "threadId": thread_id,
            "runId": f"run-{uuid.uuid4().hex[:8]}",
            "messages": [],
            "state": {},
            "tools": [],
            "context": [],
            "forwardedProps": {},
        }
        if text is not None:
            body["messages"] = [{"id": f"msg-{uuid.uuid4().hex}", "role": "user", "content": text}]
        if resume is not None:
            body["resume"] = resume
        async with self.http.stream(
            "POST", "/copilotkit", json=body, headers={"accept": "text/event-stream"}
        ) as response:
            if response.status_code != 200:
                await response.aread()
                assert response.status_code == expect, response.text
                return [{"status": response.status_code, **response.json()}]
            assert expect == 200, f"expected {expect}, got 200"
            events = [
                json.loads(line[5:])
                async for line in response.aiter_lines()
                if line.startswith("data:")
            ]
        return events

    async def trips(self, thread_id: str) -> dict[str, Any]:
        r = await self.http.get(f"/threads/{thread_id}/trips")
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    async def approve(
        self, thread_id: str, place_ids: list[str] | None = None
    ) -> list[dict[str, Any]]:
        pending = (await self.trips(thread_id))["pending_approval"]
        assert pending is not None, "no approval pending"
        payload: dict[str, Any] = {"approved": True}
        if place_ids is not None:
            payload["place_ids"] = place_ids
        return await self.run(
            thread_id,
            resume=[
                {"interruptId": pending["interrupt_id"], "status": "resolved", "payload": payload}
            ],
        )

    async def cancel(self, thread_id: str) -> list[dict[str, Any]]:
        pending = (await self.trips(thread_id))["pending_approval"]
        assert pending is not None, "no approval pending"
        return await self.run(
            thread_id, resume=[{"interruptId": pending["interrupt_id"], "status": "cancelled"}]
        )


def text_of(events: list[dict[str, Any]]) -> str:
    return "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")


def last(events: list[dict[str, Any]]) -> dict[str, Any]:
    return events[-1]


PLAN_TEXT = "Plan a 3-day trip to Rome, I like museums and old churches"


def new_thread() -> str:
    return f"t-{uuid.uuid4().hex}"


async def assert_timeouts_told(
    provider: PlacesProvider, method: str, url: str, failure: httpx.TimeoutException, query: str
) -> None:
    """A search whose every request to `method url` times out (the first and two retries)
    tells the person so in one sentence."""
    with respx.mock:
        route = respx.route(method=method, url=url).mock(side_effect=failure)
        result = await provider.search(query)
    assert route.call_count == 3
    assert result.error == "Place search is unavailable: the service did not answer in time."
