"""The Dockerfile, compose and the security scan: hadolint, `docker-compose config`, the compose
spec schema and checkov pass on the real files and fail on broken copies."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.delivery.delivery_checks import (
    ROOT,
    VENV_BIN,
    CheckovRuns,
    compose_config,
    compose_schema,
    hadolint,
    run_tool,
)

DOCKERFILE = ROOT / "Dockerfile"  # both images, one target each
COMPOSE = ROOT / "docker-compose.yml"


# ------------------------------------------------------------------------------ Dockerfile


def test_dockerfiles_pass_hadolint() -> None:
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_fails_on_latest(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    text = DOCKERFILE.read_text()
    # hadolint cannot see a build argument's default (the promises test checks its digest);
    # a literal :latest in FROM is what it catches.
    broken.write_text(
        text.replace("FROM ${BASE_IMAGE} AS runtime", "FROM python:latest AS runtime")
    )
    result = hadolint(broken)
    assert result.returncode != 0
    assert "DL3007" in result.stdout


@pytest.mark.parametrize("target", ["agent", "ui"])
def test_dockerfile_promises(target: str) -> None:
    text = DOCKERFILE.read_text()
    stages = dict(
        (name, image) for image, name in re.findall(r"^FROM (\S+) AS ([\w-]+)", text, flags=re.M)
    )
    assert list(stages) == [
        "manifests",
        "build",
        "build-agent",
        "build-ui",
        "runtime",
        "agent",
        "ui",
    ]
    # The base is a build argument whose default is the official image pinned by digest;
    # every other stage starts from an earlier one.
    assert re.search(
        r"^ARG BASE_IMAGE=python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}$", text, flags=re.M
    )
    names = list(stages)
    for i, (name, image) in enumerate(stages.items()):
        assert image == "${BASE_IMAGE}" or image in names[:i], f"{name} starts from {image}"
    # What the target's image is made of: the shared runtime stage and its own.
    runtime = text.split("AS runtime", 1)[1].split("FROM runtime AS agent", 1)[0]
    own = text.split(f"FROM runtime AS {target}", 1)[1].split("\nFROM ", 1)[0]
    image = runtime + own
    assert f"--package travel-{target}" in text.split(f"AS build-{target}", 1)[1].split("FROM ")[0]
    assert "uv sync --frozen --no-dev" in text  # exactly the lock
    assert "USER 10001:10001" in own
    assert f'CMD ["travel-{target}"]' in own
    assert re.search(r'HEALTHCHECK .*\n\s+CMD \["python", "-c", ".*/healthz', image)
    instructions = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert "curl" not in instructions and "wget" not in instructions
    assert "org.opencontainers.image.source" in image
    assert "org.opencontainers.image.revision" in image
    assert f'org.opencontainers.image.title="travel-{target}"' in own
    # No compilers or package managers' caches are added to the image's stages.
    assert "apt-get" not in image and "pip install" not in image
    assert f"COPY --from=build-{target} " in own


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for entry in (".env", ".git", ".venv", "data"):
        assert entry in ignored


# -------------------------------------------------------------------------------- compose


def test_compose_file_is_valid() -> None:
    result = compose_config(COMPOSE)
    assert result.returncode == 0, result.stderr
    result = compose_schema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_wires_the_services() -> None:
    result = run_tool(
        [VENV_BIN / "docker-compose", "-f", COMPOSE, "config", "--format", "json"], cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["postgres"]["healthcheck"]["test"]
    agent, ui = services["agent"], services["ui"]
    assert agent["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in agent["environment"]["DATABASE_URL"]
    assert agent["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert ui["environment"]["REMOTE_ACTION_URL"] == "http://agent:8000/copilotkit"
    assert ui["depends_on"]["agent"]["condition"] == "service_healthy"
    assert [p["target"] for p in ui["ports"]] == [3000]
    for service in (agent, ui):
        assert service["read_only"] is True
        assert service["cap_drop"] == ["ALL"]


def test_compose_checks_fail_on_a_broken_file(tmp_path: Path) -> None:
    data = yaml.safe_load(COMPOSE.read_text())
    data["services"]["agent"]["depends_on"]["postgres"]["condition"] = "service_warm"
    data["services"]["ui"]["restart"] = ["always"]
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(yaml.safe_dump(data))
    shutil.copy(ROOT / ".dockerignore", tmp_path / ".dockerignore")
    assert compose_config(broken).returncode != 0
    assert compose_schema(broken).returncode != 0


# -------------------------------------------------------------------------------- checkov


# checkov runs in the background from the session's start; with the image builds competing
# for the same cores its wait can pass pytest's default 300 s (CheckovRun allows 600 s).
@pytest.mark.timeout(900)
def test_checkov_finds_nothing_to_fix(checkov_runs: CheckovRuns) -> None:
    report = checkov_runs.real.report()
    assert {"kubernetes", "kustomize", "dockerfile"} <= report.frameworks
    if (ROOT / ".github" / "workflows").is_dir():
        assert "github_actions" in report.frameworks
    failed = [f"{f['check_id']} {f['resource']} ({f['file_path']})" for f in report.failures]
    assert failed == []


@pytest.mark.timeout(900)
def test_checkov_fails_on_broken_copies(checkov_runs: CheckovRuns) -> None:
    report = checkov_runs.broken.report()
    failed: dict[str, set[str]] = {}
    for f in report.failures:
        failed.setdefault(f["framework"], set()).add(f["check_id"])
    assert "CKV_K8S_30" in failed.get("kustomize", set())  # prod overlay lost securityContext
    assert "CKV_K8S_30" in failed.get("kubernetes", set())  # a Deployment without one
    assert {"CKV_DOCKER_2", "CKV_DOCKER_3"} <= failed.get("dockerfile", set())
    assert failed.get("github_actions"), "write-all token went unnoticed"


SKIP_ANNOTATION = re.compile(r"checkov\.io/skip\d+:\s*(CKV\w+)=(.*)")
SKIP_COMMENT = re.compile(r"checkov:skip=(CKV\w+)(?::(.*))?")


def test_every_checkov_skip_is_justified() -> None:
    files = [DOCKERFILE, *sorted((ROOT / "deploy").rglob("*.yaml"))]
    files += sorted((ROOT / ".github").rglob("*.yml")) if (ROOT / ".github").is_dir() else []
    skips = []
    for path in files:
        for line in path.read_text().splitlines():
            for pattern in (SKIP_ANNOTATION, SKIP_COMMENT):
                match = pattern.search(line)
                if match:
                    skips.append((path.name, match.group(1), (match.group(2) or "").strip()))
    assert skips, "the known skips (CKV_K8S_35 in base, dev's local images) are found"
    for name, check, reason in skips:
        assert len(reason) >= 30, f"{name}: skip of {check} needs a reason next to it"
