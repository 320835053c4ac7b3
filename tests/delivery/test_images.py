"""The real images, built here with podman on every run (layer cache kept between runs) and
run hardened as Kubernetes runs them: read-only root, /tmp on tmpfs, no capabilities,
no-new-privileges, uid 10001. The agent runs on a PostgreSQL database of the test's own,
the ui reaches it, and `travelctl smoke` passes against the pair. Each check also meets a
broken input (a container started without the hardening, a ui with the wrong agent token,
an agent whose database does not exist, the old Dockerfile layer order)."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from agent.tests.pg import temp_database
from tests.delivery.delivery_checks import ROOT
from tests.delivery.dockerfile_layers import dependency_layer_problems
from tests.delivery.images import (
    BASE_IMAGE,
    DOCKERFILE,
    SERVICES,
    Build,
    Container,
    build,
    hardening_problems,
    image_config,
    image_size,
    podman,
    podman_unusable,
    run,
    wait_ready,
)

WHY_NOT = podman_unusable()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=f"images not built: {WHY_NOT}")

TRAVELCTL = Path(sys.executable).parent / "travelctl"
OFFLINE = {"LLM_PROVIDER": "offline", "PLACES_PROVIDER": "offline", "LOG_LEVEL": "warning"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tag(service: str) -> str:
    return f"localhost/coagents-travel-{service}:test"


@pytest.fixture(scope="session")
def images() -> dict[str, Build]:
    if podman("image", "exists", BASE_IMAGE).returncode != 0:
        pytest.fail(f"the local base image {BASE_IMAGE} is missing: run scripts/test-deps")
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {service: build(service, tag(service), revision=revision) for service in SERVICES}


@pytest.fixture(scope="session")
def database() -> Iterator[str]:
    with temp_database() as url:
        yield url


def smoke(ui: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TRAVELCTL), "smoke", ui, "--message", "Plan a weekend in Lisbon"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_images_are_built_with_their_promises(images: dict[str, Build]) -> None:
    for service, built in images.items():
        config = image_config(built.image)
        assert config["user"] == "10001:10001", service
        assert "healthz" in config["healthcheck"], f"{service}: HEALTHCHECK dropped"
        assert len(config["revision"]) == 40, service


def test_the_pair_runs_hardened_on_postgres_and_passes_smoke(
    images: dict[str, Build], database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    token = secrets.token_hex(32)
    agent_port, ui_port = free_port(), free_port()
    agent_env = {**OFFLINE, "DATABASE_URL": database, "AGENT_API_TOKEN": token}
    ui_env = {
        "REMOTE_ACTION_URL": f"http://127.0.0.1:{agent_port}/copilotkit",
        "AGENT_API_TOKEN": token,
        "UI_SECRET_KEY": secrets.token_hex(32),
    }
    with run(tag("agent"), agent_port, agent_env) as agent:
        agent_start = wait_ready(agent, "/readyz")
        assert agent_start is not None, agent.logs()
        with run(tag("ui"), ui_port, ui_env) as ui:
            ui_start = wait_ready(ui, "/readyz")  # ready = it reached an agent
            assert ui_start is not None, ui.logs()
            for container in (agent, ui):
                for path in ("/healthz", "/readyz"):
                    assert httpx.get(container.url + path, timeout=5).status_code == 200
                assert hardening_problems(container) == [], container.logs()
            result = smoke(ui.url)
            assert result.returncode == 0, result.stdout + result.stderr + ui.logs()
    # The turn was checkpointed in the test's PostgreSQL database, not in the (read-only) image.
    with psycopg.connect(database) as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables")}
        assert "checkpoints" in tables, tables
        assert conn.execute("SELECT count(*) FROM checkpoints").fetchone() != (0,)
    with capsys.disabled():
        for service, built in images.items():
            size = image_size(built.image) / 1e6
            print(f"\n[images] {service}: {size:.0f} MB, build {built.seconds:.1f} s", end="")
        print(f"\n[images] ready after podman run: agent {agent_start:.1f} s, ui {ui_start:.1f} s")


def test_hardening_check_fails_on_a_container_without_it(images: dict[str, Build]) -> None:
    # The image's own user is 10001; --user 0 and no flags undo every promise.
    with run(tag("ui"), free_port(), {}, flags=("--user", "0", "--tmpfs", "/tmp")) as ui:
        assert wait_ready(ui, "/healthz") is not None, ui.logs()
        problems = hardening_problems(ui)
    assert "runs as uid 0, not 10001" in problems
    assert any("capabilities" in p for p in problems), problems
    assert "no-new-privileges is off" in problems
    assert "/probe is writable" in problems


def test_a_ui_with_the_wrong_agent_token_fails_smoke(
    images: dict[str, Build], database: str
) -> None:
    agent_port = free_port()
    agent_env = {**OFFLINE, "DATABASE_URL": database, "AGENT_API_TOKEN": secrets.token_hex(32)}
    ui_env = {
        "REMOTE_ACTION_URL": f"http://127.0.0.1:{agent_port}/copilotkit",
        "AGENT_API_TOKEN": secrets.token_hex(32),
    }
    with run(tag("agent"), agent_port, agent_env) as agent:
        assert wait_ready(agent, "/readyz") is not None, agent.logs()
        with run(tag("ui"), free_port(), ui_env) as ui:
            assert wait_ready(ui, "/healthz") is not None, ui.logs()
            result = smoke(ui.url)
    assert result.returncode == 1, result.stdout + result.stderr


def test_an_agent_without_its_database_never_gets_ready(images: dict[str, Build]) -> None:
    missing = f"postgresql://postgres@127.0.0.1:5432/travel_missing_{secrets.token_hex(6)}"
    with run(tag("agent"), free_port(), {**OFFLINE, "DATABASE_URL": missing}) as agent:
        assert wait_ready(agent, "/readyz", attempts=150) is None
        answered = _answers(agent, "/readyz")
    assert answered in (None, 503), answered


def _answers(container: Container, path: str) -> int | None:
    try:
        return httpx.get(container.url + path, timeout=5).status_code
    except httpx.TransportError:
        return None


def test_a_source_edit_rebuilds_only_the_source_layers(
    images: dict[str, Build], tmp_path: Path
) -> None:
    context = tmp_path / "context"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file():
            (context / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, context / name)
    init = context / "agent" / "src" / "travel_agent" / "__init__.py"
    init.write_text(init.read_text() + "\n# an edit that changes no dependency\n")
    rebuilt = build("agent", "localhost/coagents-travel-agent:edited", context=context)
    cached = rebuilt.cached_steps()
    assert any("--no-install-workspace" in step for step in cached), rebuilt.output[-3000:]
    assert any(step.startswith("RUN python3 -m venv /opt/uv") for step in cached)
    podman("rmi", "--force", rebuilt.image)


def test_dependencies_install_before_the_source_is_copied() -> None:
    text = (ROOT / DOCKERFILE).read_text()
    for service in SERVICES:  # each service's own build stage is checked
        assert f"AS build-{service}" in text, service
    assert dependency_layer_problems(text) == []


def test_layer_check_fails_on_the_old_order() -> None:
    old = (
        "FROM python:3.11-slim AS build\n"
        "WORKDIR /src\n"
        "COPY . .\n"
        "RUN uv sync --frozen --no-dev --no-editable --package travel-agent\n"
        "FROM python:3.11-slim AS runtime\n"
        "COPY --from=build /opt/venv /opt/venv\n"
    )
    problems = dependency_layer_problems(old)
    assert any("before the dependencies" in p for p in problems), problems
