"""Delivery checks for .github/workflows: actionlint (with shellcheck), the GitHub workflow
JSON schema, and this repository's policy. A broken copy of the workflows proves each check
can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import workflow_policy as policy

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("ci.yml", "cd.yml")
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is missing from {BIN}: run ./scripts/bootstrap --all-groups")
    return str(path)


def actionlint(folder: Path) -> subprocess.CompletedProcess[str]:
    files = [str(folder / ".github" / "workflows" / name) for name in NAMES]
    return subprocess.run(
        [tool("actionlint"), "-no-color", "-shellcheck", tool("shellcheck"), *files],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def jsonschema(files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """Copy both workflows into tmp_path (a repository of their own) with one edit in `name`."""
    target = tmp_path / ".github" / "workflows"
    target.mkdir(parents=True)
    for each in NAMES:
        shutil.copy(WORKFLOWS / each, target / each)
    path = target / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {name}: update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_actionlint_with_shellcheck_passes() -> None:
    result = actionlint(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_wrong_expression(tmp_path: Path) -> None:
    broken_copy(
        tmp_path,
        "cd.yml",
        "needs.images.outputs.backend-image",
        "needs.imagez.outputs.backend-image",
    )

    result = actionlint(tmp_path)

    assert result.returncode == 1
    assert "imagez" in result.stdout


def test_shellcheck_runs_inside_actionlint(tmp_path: Path) -> None:
    broken_copy(tmp_path, "ci.yml", "run: ./scripts/test", "run: ./scripts/test $EXTRA_ARGS")

    result = actionlint(tmp_path)

    assert result.returncode == 1
    assert "SC2086" in result.stdout  # shellcheck's "double quote to prevent word splitting"


def test_workflows_match_the_github_workflow_schema() -> None:
    result = jsonschema([WORKFLOWS / name for name in NAMES])

    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_catches_a_malformed_job(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "cd.yml", "timeout-minutes: 60", "timeout-minutes: soon")

    result = jsonschema([path])

    assert result.returncode == 1
    assert "timeout-minutes" in result.stdout


@pytest.mark.parametrize("check", policy.CHECKS.values(), ids=policy.CHECKS.keys())
def test_policy_holds(check: Callable[[Path], list[str]]) -> None:
    problems = [p for name in NAMES for p in check(WORKFLOWS / name)]

    assert problems == []


# The `kustomize edit set image` mappings of the deploy job.
SET_UI = "${BASE_FRONTEND_IMAGE}=${FRONTEND_IMAGE}"
SET_AGENT = "${BASE_BACKEND_IMAGE}=${BACKEND_IMAGE}"
BREAKAGES = [
    (
        "pinned actions",
        "cd.yml",
        "docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0",
        "docker/login-action@v3",
    ),
    ("pinned actions", "ci.yml", "# v4.2.2", "# main"),
    ("timeouts", "ci.yml", "    timeout-minutes: 45\n", ""),
    ("timeouts", "cd.yml", "    timeout-minutes: 30\n", ""),
    ("gated deploys", "cd.yml", "    if: vars.DEPLOY_ENABLED == 'true'\n", ""),
    ("gated deploys", "cd.yml", "cancel-in-progress: false", "cancel-in-progress: true"),
    (
        "no latest deployed",
        "cd.yml",
        f"{SET_UI}:${{GITHUB_SHA}}@${{FRONTEND_DIGEST}}",
        f"{SET_UI}:latest",
    ),
    (
        "no latest deployed",
        "cd.yml",
        f"{SET_AGENT}:${{GITHUB_SHA}}@${{BACKEND_DIGEST}}",
        f"{SET_AGENT}:${{GITHUB_SHA}}",
    ),
    (
        "permissions",
        "cd.yml",
        "    permissions:\n      contents: read\n    environment:",
        "    environment:",
    ),
]


@pytest.mark.parametrize(("check", "name", "old", "new"), BREAKAGES)
def test_policy_catches_breakage(tmp_path: Path, check: str, name: str, old: str, new: str) -> None:
    path = broken_copy(tmp_path, name, old, new)

    assert policy.CHECKS[check](path) != []


def test_ci_runs_the_readme_test_command_and_cd_calls_it_first() -> None:
    ci = policy.load(WORKFLOWS / "ci.yml")
    cd = policy.load(WORKFLOWS / "cd.yml")

    assert "./scripts/test" in policy.runs(ci["jobs"]["test"])
    assert "./scripts/test" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert {"pull_request", "push", "workflow_call"} <= set(policy.triggers(ci))
    assert cd["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert cd["jobs"]["images"]["needs"] == "test"
    assert cd["jobs"]["deploy"]["needs"] == "images"
