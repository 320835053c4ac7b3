"""`travelctl smoke URL` against the real agent and ui services, started as processes on
free 127.0.0.1 ports (offline planner, SQLite), as a person would run them; failures come
from the real services failing in the ways a deployment does."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from ops_testkit import (
    Cli,
)

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def service(script: str, port: int, ready: str, env: dict[str, str], log: Path) -> Iterator[str]:
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / script)],
            env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(300):  # bounded wait for readiness (not a timing assertion)
            if process.poll() is not None:
                pytest.fail(f"{script} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail(f"{script} did not become ready: {log.read_text()[-2000:]}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def services(cli: Cli, tmp_path: Path, **agent_env: str) -> Iterator[tuple[str, str]]:
    """A real agent and ui; returns (agent URL, ui URL)."""
    env = {k: v for k, v in cli.env.items() if k not in ("OPENAI_API_KEY", "GOOGLE_MAPS_API_KEY")}
    env.update(LLM_PROVIDER="offline", PLACES_PROVIDER="offline", DATA_DIR=str(tmp_path / "data"))
    agent_port, ui_port = free_port(), free_port()
    ui_env = {**env, "REMOTE_ACTION_URL": f"http://127.0.0.1:{agent_port}/copilotkit"}
    with (
        service(
            "travel-agent", agent_port, "/readyz", {**env, **agent_env}, tmp_path / "a.log"
        ) as agent,
        service("travel-ui", ui_port, "/healthz", ui_env, tmp_path / "ui.log") as ui,
    ):
        yield agent, ui


def test_smoke_passes_against_the_real_ui_and_agent(cli: Cli, tmp_path: Path) -> None:
    with services(cli, tmp_path) as (_, ui):
        result = cli("smoke", ui, "--message", "Plan a weekend in Lisbon")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "GET / → 200 HTML" in result.stdout
    assert "GET /healthz → 200" in result.stdout
    assert "POST /api/chat streamed to RUN_FINISHED (RUN_STARTED×1" in result.stdout
    assert "passed the smoke test" in result.stdout


def test_a_chat_turn_that_fails_fails_the_smoke_test(cli: Cli, tmp_path: Path) -> None:
    # The AI service the agent is configured with does not answer.
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with services(
        cli,
        tmp_path,
        LLM_PROVIDER="openai",
        OPENAI_API_KEY="sk-smoke",
        OPENAI_BASE_URL=dead,
        LLM_MAX_RETRIES="0",
    ) as (_, ui):
        result = cli("smoke", ui)

    assert result.returncode == 1
    assert "The chat turn ended with RUN_ERROR: The AI service is not answering" in result.stderr


def test_a_url_that_is_not_the_ui_fails(cli: Cli, tmp_path: Path) -> None:
    with services(cli, tmp_path) as (agent, _):
        result = cli("smoke", agent)  # the agent is not the page people load

    assert result.returncode == 1
    assert f"GET {agent}/ answered 404, not 200." in result.stderr


def test_nothing_listening(cli: Cli) -> None:
    port = free_port()

    result = cli("smoke", f"http://127.0.0.1:{port}")

    assert result.returncode == 1
    assert f"Could not talk to http://127.0.0.1:{port}: ConnectError" in result.stderr


def test_not_a_url(cli: Cli) -> None:
    result = cli("smoke", "travel.example.com")

    assert result.returncode == 2
    assert "is not an http(s) URL" in result.stderr
