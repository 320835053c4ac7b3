"""Shared fixtures: the real app on a real SQLite file (or PostgreSQL), driven over HTTP,
and a real OpenAI-compatible server process (aimock) for the LLM tests.

A test module runs on both stores by overriding `settings` with `**database`."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aimock_pytest._node_manager import NodeManager
from aimock_pytest._server import AIMockServer
from fastapi import FastAPI

from travel_agent.app import create_app
from travel_agent.settings import Settings

from agent_kit import LLM_TEST_KEY, AgentClient, make_settings
from pg import temp_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The settings that choose the store: SQLite under DATA_DIR, or a new PostgreSQL
    database (dropped afterwards)."""
    if request.param == "sqlite":
        yield {}
        return
    with temp_database() as url:
        yield {"database_url": url}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AgentClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://agent") as http:
        yield AgentClient(http)


# ---------------------------------------------------------------- LLM test server

REPO_ROOT = Path(__file__).resolve().parents[2]
# Installed by scripts/test-deps; pointing aimock-pytest at it means tests never download.
AIMOCK_CLI = REPO_ROOT / ".test-tools/aimock/node_modules/@copilotkit/aimock/dist/cli.js"
os.environ.setdefault("AIMOCK_CLI_PATH", str(AIMOCK_CLI))

#: The only key the LLM test server accepts; anything else gets a real 401.


@pytest.fixture(scope="session")
def llm_server(_aimock_node_manager: NodeManager) -> Iterator[AIMockServer]:
    """One aimock process for the session, bound to 127.0.0.1 on a free port."""
    if not Path(os.environ["AIMOCK_CLI_PATH"]).is_file():
        pytest.fail("aimock is not installed: run ./scripts/test-deps")
    server = AIMockServer(_aimock_node_manager, port=0, api_key=LLM_TEST_KEY)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def llm(llm_server: AIMockServer) -> AIMockServer:
    """The LLM server with no fixtures, journal or error left over from another test."""
    llm_server.reset()
    return llm_server
