"""`travelctl smoke` against the real agent and ui services, started as processes on free
127.0.0.1 ports (offline planner, SQLite), as a person would run them.

Runs once the ui service is part of the workspace (its `travel-ui` script is installed);
until then the `ui_double` tests stand in for it.
"""

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
from ops_testkit import (  # noqa: F401
    Cli,
    cli_fixture,
    kubectl_fixture,
    real_kubectl_fixture,
    workdir_fixture,
)

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(
    not (BIN / "travel-ui").exists(), reason="the ui service is not in this workspace yet"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def service(script: str, port: int, ready: str, env: dict[str, str], log: Path) -> Iterator[None]:
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
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_smoke_passes_against_the_real_ui_and_agent(cli: Cli, tmp_path: Path) -> None:
    env = {k: v for k, v in cli.env.items() if k not in ("OPENAI_API_KEY", "GOOGLE_MAPS_API_KEY")}
    env.update(LLM_PROVIDER="offline", PLACES_PROVIDER="offline", DATA_DIR=str(tmp_path / "data"))
    agent_port, ui_port = free_port(), free_port()
    ui_env = {**env, "REMOTE_ACTION_URL": f"http://127.0.0.1:{agent_port}/copilotkit"}
    with (
        service("travel-agent", agent_port, "/readyz", env, tmp_path / "agent.log"),
        service("travel-ui", ui_port, "/healthz", ui_env, tmp_path / "ui.log"),
    ):
        result = cli("smoke", f"http://127.0.0.1:{ui_port}")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "POST /api/chat streamed to RUN_FINISHED (RUN_STARTED×1" in result.stdout
