"""Whole-system helpers: agent and ui processes on free ports of 127.0.0.1 (restartable on
the same port, killable with SIGKILL), a temporary PostgreSQL database on the shared server,
and a person using the ui's HTTP API with a cookie jar of its own."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from testsupport.page import open_page
from testsupport.pg import ADMIN_URL
from testsupport.pg import temp_database as _temp_database
from testsupport.ports import free_port
from testsupport.processes import BIN, ServiceProcess, clean_env
from testsupport.sse import sse_events

__all__ = ["BIN", "PG_ADMIN_URL", "Proc", "clean_env", "free_port", "sse_events"]

ROOT = Path(__file__).resolve().parents[2]
PLAN = "Plan a 2-day trip to {city}"
CITIES = ["Rome", "Paris", "Kyoto", "Lisbon", "Barcelona", "Istanbul", "Prague", "Vienna"]
BROKE_OFF = "The connection to the planner broke off in the middle of a reply. Please try again."
PG_ADMIN_URL = ADMIN_URL


def temp_database() -> AbstractContextManager[str]:
    """A database of the test's own on the shared PostgreSQL server, dropped afterwards."""
    return _temp_database("travel_system")


@dataclass
class Proc(ServiceProcess):
    """One `travel-agent` or `travel-ui` process (the shared ServiceProcess), with a
    reading of its metrics."""

    def metric(self, name: str, **labels: str) -> float:
        """The sum of a metric's samples whose labels include `labels` (0 when none)."""
        text = httpx.get(self.url + "/metrics", timeout=5).text
        total = 0.0
        for line in text.splitlines():
            match = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})? (\S+)$", line)
            if match and all(f'{k}="{v}"' in (match.group(1) or "") for k, v in labels.items()):
                total += float(match.group(2))
        return total


def agent_proc(workdir: Path, name: str, **env: str) -> Proc:
    values = {
        "LLM_PROVIDER": "offline",
        "PLACES_PROVIDER": "offline",
        "DATA_DIR": str(workdir / "agent-data"),
        "LOG_LEVEL": "info",
        **env,
    }
    return Proc("travel-agent", clean_env(**values), workdir, name)


def ui_proc(workdir: Path, agents: list[Proc], **env: str) -> Proc:
    urls = ",".join(f"{a.url}/copilotkit" for a in agents)
    values = {
        "REMOTE_ACTION_URL": urls,
        "UI_SECRET_KEY": "system-test-signing-key",
        "LOG_LEVEL": "info",
        **env,
    }
    return Proc("travel-ui", clean_env(**values), workdir, "ui")


def start_all(agents: list[Proc], ui: Proc | None = None) -> None:
    """Starts the agents side by side (start-up is mostly imports), then the ui."""
    for agent in agents:
        agent.launch()
    for agent in agents:
        agent.wait_ready("/readyz")
    if ui is not None:
        ui.launch().wait_ready("/healthz")


@contextmanager
def two_replicas(
    workdir: Path, agent_env: dict[str, str], **ui_env: str
) -> Iterator[tuple[Proc, Proc, Proc]]:
    """The `ha` overlay's topology: agent replicas a and b with the same settings on one
    temporary PostgreSQL database, behind one ui, started; stopped (and the database
    dropped) afterwards."""
    with temp_database() as database:
        a = agent_proc(workdir, "agent-a", DATABASE_URL=database, **agent_env)
        b = agent_proc(workdir, "agent-b", DATABASE_URL=database, **agent_env)
        ui = ui_proc(workdir, [a, b], **ui_env)
        start_all([a, b], ui)
        try:
            yield a, b, ui
        finally:
            for proc in (ui, a, b):
                proc.stop()


def text_of(events: list[dict[str, Any]]) -> str:
    return "".join(e.get("delta", "") for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")


class Person:
    """Someone using the ui over its HTTP API, as the page's scripts do: one cookie jar, the
    page's CSRF token, and a client address of their own (X-Forwarded-For, which the ui
    trusts from 127.0.0.1 as from a proxy), so each person has their own rate-limit bucket."""

    def __init__(self, ui_url: str, index: int) -> None:
        self.http = httpx.AsyncClient(
            base_url=ui_url,
            timeout=60,
            headers={"X-Forwarded-For": f"10.66.{index // 256}.{index % 256}"},
        )
        self.csrf = ""

    async def aclose(self) -> None:
        await self.http.aclose()

    async def open_page(self) -> httpx.Response:
        page, self.csrf = await open_page(self.http)
        return page

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def post_stream(self, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        response = await self.http.post(path, json=body, headers=self.headers())
        assert response.status_code == 200, response.text[:500]
        return sse_events(response.text)

    @asynccontextmanager
    async def open_stream(
        self, path: str, body: dict[str, Any]
    ) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """The stream's events one by one, as they arrive."""
        async with self.http.stream("POST", path, json=body, headers=self.headers()) as r:
            assert r.status_code == 200

            async def events() -> AsyncIterator[dict[str, Any]]:
                async for line in r.aiter_lines():
                    if line.startswith("data: "):
                        yield json.loads(line[6:])

            yield events()

    async def chat(self, message: str) -> list[dict[str, Any]]:
        return await self.post_stream("/api/chat", {"message": message})

    async def approve(
        self, interrupt_id: str, place_ids: list[str] | None = None
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"interrupt_id": interrupt_id, "approved": True}
        if place_ids is not None:
            body["place_ids"] = place_ids
        return await self.post_stream("/api/resume", body)

    async def state(self) -> dict[str, Any]:
        response = await self.http.get("/api/state")
        assert response.status_code == 200, response.text[:500]
        data: dict[str, Any] = response.json()
        return data

    async def history(self) -> list[dict[str, Any]]:
        response = await self.http.get("/api/history")
        assert response.status_code == 200, response.text[:500]
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def add_place(self, trip_id: str, place: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(
            f"/api/trips/{trip_id}/places", json=place, headers=self.headers()
        )
        assert response.status_code == 201, response.text[:500]
        data: dict[str, Any] = response.json()
        return data

    async def edit_place(
        self, trip_id: str, place_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        response = await self.http.patch(
            f"/api/trips/{trip_id}/places/{place_id}", json=changes, headers=self.headers()
        )
        assert response.status_code == 200, response.text[:500]
        data: dict[str, Any] = response.json()
        return data


def trips_summary(state: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """Each trip's places as (id, name, description): what must neither vanish nor double."""
    return {
        trip["id"]: [(p["id"], p["name"], p.get("description") or "") for p in trip["places"]]
        for trip in state["trips"]
    }


def import_agent_test_helpers() -> None:
    """Nothing to do any more: pytest's `pythonpath` (root pyproject) puts agent/tests'
    helper modules (`slow_openai`, ...) on the path. Kept for tests that still call it."""
