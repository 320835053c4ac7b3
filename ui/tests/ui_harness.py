"""Fixtures for the ui's route tests: the ui app driven over HTTP in process, talking to the
real agent app (offline planner, SQLite in a temporary folder), also in process.

The fixtures are found through this folder's conftest.py; test modules import only the
helpers (Browser, ui_settings, sse_events, ...)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from testsupport.sse import sse_events
from travel_agent.app import create_app as create_agent_app
from travel_agent.settings import Settings as AgentSettings
from travel_ui.app import create_app as create_ui_app
from travel_ui.settings import Settings as UiSettings

AGENT = "http://agent"
UI = "http://ui.test"
PLAN = "Plan a 3-day trip to Rome, I like museums and old churches"
__all__ = ["sse_events"]  # the tests import it from here


def ui_settings(**overrides: Any) -> UiSettings:
    values: dict[str, Any] = {
        "remote_action_url": f"{AGENT}/copilotkit",
        "ui_secret_key": "test-secret-key-for-signing",
    }
    values.update(overrides)
    return UiSettings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def agent_app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = AgentSettings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path / "agent-data",
        llm_provider="offline",
        places_provider="offline",
    )
    app = create_agent_app(settings)
    async with app.router.lifespan_context(app):
        yield app


class Browser:
    """An HTTP client that behaves like one browser: one cookie jar, the page's CSRF token."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.csrf = ""

    async def open_page(self) -> httpx.Response:
        page = await self.http.get("/")
        assert page.status_code == 200, page.text
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
        assert match, "the page carries a CSRF token"
        self.csrf = match.group(1)
        return page

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def chat(self, message: str) -> list[dict[str, Any]]:
        response = await self.http.post(
            "/api/chat", json={"message": message}, headers=self.headers()
        )
        assert response.status_code == 200, response.text
        return sse_events(response.text)

    async def state(self) -> dict[str, Any]:
        response = await self.http.get("/api/state")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data


@pytest.fixture
def make_ui(agent_app: FastAPI) -> Callable[..., FastAPI]:
    """Builds a ui app whose agent is the real agent app (or another transport)."""

    def factory(
        settings: UiSettings | None = None, transport: httpx.AsyncBaseTransport | None = None
    ) -> FastAPI:
        return create_ui_app(
            settings or ui_settings(),
            agent_transport=transport or httpx.ASGITransport(app=agent_app),
        )

    return factory


@pytest.fixture
def ui_app(make_ui: Callable[..., FastAPI]) -> FastAPI:
    return make_ui()


@pytest.fixture
async def make_browser() -> AsyncIterator[Callable[[FastAPI], Browser]]:
    """Browsers (separate cookie jars) for a ui app."""
    clients: list[httpx.AsyncClient] = []

    def factory(ui: FastAPI) -> Browser:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=ui), base_url=UI)
        clients.append(http)
        return Browser(http)

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
async def browser(ui_app: FastAPI, make_browser: Callable[[FastAPI], Browser]) -> Browser:
    b = make_browser(ui_app)
    await b.open_page()
    return b
