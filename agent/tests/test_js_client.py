"""A real AG-UI JavaScript client (@ag-ui/client's HttpAgent, as CopilotKit uses it) over
several turns against a real agent process: it replays its whole history on every run and
approves what is proposed; nothing is duplicated and the stored conversation is the one
the client holds (issue 9, item 2), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent_kit import PLAN_TEXT, new_thread
from live import ROOT, AgentProcess
from pg import temp_database

CLIENT = ROOT / "tools/agui-client"
TURNS = ["List my trips", PLAN_TEXT, "Show the Paris trip", "List my trips"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def agent_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    if request.param == "sqlite":
        yield {"DATA_DIR": str(tmp_path / "data")}
    else:
        with temp_database() as url:
            yield {"DATABASE_URL": url}


@pytest.mark.slow
def test_a_js_client_replaying_its_history_keeps_working(
    agent_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    if node is None or not (CLIENT / "node_modules/@ag-ui/client").is_dir():
        pytest.fail("the AG-UI JS client is not installed: run ./scripts/test-deps")
    thread = new_thread()
    agent = AgentProcess(agent_env, tmp_path / "agent.log")
    try:
        agent.start(timeout=120)  # a loaded machine starts Python slowly
        done = subprocess.run(
            [node, "replay.mjs", agent.url, thread, json.dumps(TURNS)],
            cwd=CLIENT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        held = json.loads(done.stdout)
        history = httpx.get(f"{agent.url}/threads/{thread}/history", timeout=30).json()["items"]
        trips = httpx.get(f"{agent.url}/threads/{thread}/trips", timeout=30).json()
    finally:
        agent.__exit__(None, None, None)  # kills it if it still runs

    runs = held["runs"]
    assert [r["error"] for r in runs] == [None] * len(runs)
    assert len(runs) == len(TURNS) + 1  # one approval
    assert runs[-1]["sentMessages"] > len(TURNS)  # the client did replay its history
    ids = [m["id"] for m in held["messages"]]
    assert len(ids) == len(set(ids)), "the client holds every message once"
    users = [i["content"] for i in history if i["type"] == "message" and i["role"] == "user"]
    assert users == TURNS
    stored = [(i["id"], i["role"]) for i in history if i["type"] == "message"]
    shown = [
        (m["id"], m["role"])
        for m in held["messages"]
        if m["role"] == "user" or (m["role"] == "assistant" and (m.get("content") or "").strip())
    ]
    assert shown == stored  # the same conversation, in the same order, on both sides
    assert len(trips["trips"]) == 3 and trips["selected_trip_id"] == "2"
