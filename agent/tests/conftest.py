"""Shared fixtures: a real OpenAI-compatible server process (aimock) for the LLM tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from aimock_pytest._node_manager import NodeManager
from aimock_pytest._server import AIMockServer

REPO_ROOT = Path(__file__).resolve().parents[2]
# Installed by scripts/test-deps; pointing aimock-pytest at it means tests never download.
AIMOCK_CLI = REPO_ROOT / ".test-tools/aimock/node_modules/@copilotkit/aimock/dist/cli.js"
os.environ.setdefault("AIMOCK_CLI_PATH", str(AIMOCK_CLI))

#: The only key the LLM test server accepts; anything else gets a real 401.
LLM_TEST_KEY = "sk-test-aimock-key"


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
