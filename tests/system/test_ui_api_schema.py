"""Property-based tests of the ui's HTTP API against its own OpenAPI schema (schemathesis):
generated requests, valid and not, to a real `travel-ui` process in front of a real
`travel-agent` (offline providers, SQLite). Every check schemathesis has must pass: no 5xx,
status codes, content types, headers and bodies as documented, valid data accepted,
invalid data refused.

The requests carry a real session (the cookie and CSRF token of a page load), so they
reach the routes' logic rather than stopping at the session check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis

from tests.system.system_stack import Proc, agent_proc, start_all, ui_proc
from testsupport.schema import schema_settings
from travel_ui.app import create_app
from travel_ui.settings import Settings

# The schema comes from the app itself (the ui does not serve it); requests go to a process.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(_env_file=None, ui_secret_key="schema")).openapi()  # type: ignore[call-arg]
)


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("ui-schema")
    agent = agent_proc(base, "agent", LOG_LEVEL="warning")
    # Thousands of requests from one address: the rate limit is not what is tested here.
    ui = ui_proc(base, [agent], RATE_LIMIT_PER_SECOND="0", LOG_LEVEL="warning")
    start_all([agent], ui)
    page = httpx.get(ui.url + "/")
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert match
    yield {
        "proc": ui,
        "cookies": {"travel_thread": page.cookies["travel_thread"]},
        "headers": {"X-CSRF-Token": match.group(1)},
    }
    procs: list[Proc] = [ui, agent]
    for proc in procs:
        assert proc.alive(), f"{proc.name} died"
        proc.stop()
    # Whatever was thrown at them, nothing failed inside either service.
    for proc in procs:
        log = proc.log_path.read_text()
        assert '"level": "error"' not in log, log[-3000:]


@pytest.mark.slow
@schema.parametrize()
@schema_settings(max_examples=20)
def test_ui_api_matches_its_schema(case: schemathesis.Case, ui: dict[str, Any]) -> None:
    case.call_and_validate(
        base_url=ui["proc"].url, headers=ui["headers"], cookies=ui["cookies"], timeout=30
    )
