"""Property-based tests of the agent's HTTP API against its own OpenAPI schema
(schemathesis): generated requests, valid and not, to a real `travel-agent` process.
Every check schemathesis has must pass: no 5xx, status codes, content types, headers and
bodies as documented, valid data accepted, invalid data refused."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from travel_agent.app import create_app

from agent_kit import make_settings
from live import AgentProcess

# The schema comes from the app itself (no server needed to collect the tests); the
# requests go to a real process.
schema = schemathesis.openapi.from_dict(
    create_app(make_settings(Path(tempfile.gettempdir()) / "travel-schema")).openapi()
)


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    base = tmp_path_factory.mktemp("schema-agent")
    with AgentProcess({"DATA_DIR": str(base / "data")}, base / "agent.log") as process:
        yield process
    # Whatever was thrown at it, the process stayed up and nothing failed inside.
    log = (base / "agent.log").read_text()
    errors = [line for line in log.splitlines() if '"level": "error"' in line]
    assert not errors, "\n".join(errors)[:3000]


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI stays reproducible
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_schema(case: schemathesis.Case, agent: AgentProcess) -> None:
    case.call_and_validate(base_url=agent.url, timeout=30)
    assert agent.proc is not None and agent.proc.poll() is None
