"""Delivery checks for .github/workflows: actionlint (with shellcheck), the GitHub workflow
JSON schema, and this repository's policy (below). A broken copy of the workflows proves
each check can fail.

The policy lives in this file rather than a helper module so the tests import the same way
whether or not tests/delivery is a package."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ("ci.yml", "cd.yml")
BIN = Path(sys.executable).parent


# ---- this repository's rules for its workflows, beyond what the linters know ----

Workflow = dict[str, Any]

PINNED_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+?)@([0-9a-f]{40})\s+#\s*v\d+\.\d+\.\d+\s*$")
USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)")
# What marks a job that changes the cluster.
DEPLOY_MARKERS = ("travelctl deploy", "travelctl rollback", "kubectl apply", "travelctl secrets")
GATE = "vars.DEPLOY_ENABLED == 'true'"
# An argument of `kustomize edit set image OLD=NEW…`, and the pin it must end with.
IMAGE_PIN = re.compile(r"(_IMAGE\}|ghcr\.io/\S+)=")
SHA_AT_DIGEST = re.compile(r":\$\{GITHUB_SHA\}@\$\{\w+_DIGEST\}")


def load(path: Path) -> Workflow:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    return data


def jobs(workflow: Workflow) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = workflow.get("jobs") or {}
    return found


def triggers(workflow: Workflow) -> dict[str, Any]:
    """The `on:` mapping (YAML 1.1, which PyYAML speaks, reads a bare `on` key as true)."""
    by_key: dict[Any, Any] = dict(workflow)
    found: dict[str, Any] = by_key.get("on") or by_key.get(True) or {}
    return found


def runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job.get("steps") or [])


def is_deploy_job(job: dict[str, Any]) -> bool:
    """Changes a real cluster (a job that creates its own kind cluster changes only that)."""
    if any("helm/kind-action" in str(step.get("uses")) for step in job.get("steps") or []):
        return "environment" in job
    return "environment" in job or any(marker in runs(job) for marker in DEPLOY_MARKERS)


def unpinned_actions(path: Path) -> list[str]:
    """Every `uses:` of a remote action names a full commit SHA with a `# vX.Y.Z` comment."""
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = USES_LINE.match(line)
        if not match or match.group(1).startswith("./"):
            continue
        if not PINNED_USES.match(line):
            problems.append(f"{path.name}:{number}: not pinned to a commit SHA: {line.strip()}")
    return problems


def jobs_without_timeout(path: Path) -> list[str]:
    """Every job has timeout-minutes; a call of a local reusable workflow is judged by its jobs."""
    problems = []
    for name, job in jobs(load(path)).items():
        called = str(job.get("uses", ""))
        if called.startswith("./"):
            target = path.parents[2] / called.removeprefix("./")
            problems += [f"{path.name} → {p}" for p in jobs_without_timeout(target)]
        elif "timeout-minutes" not in job:
            problems.append(f"{path.name}: job {name} has no timeout-minutes")
    return problems


def ungated_deploys(path: Path) -> list[str]:
    """Jobs that change the cluster run only when the repository enables deploys, one at a time."""
    problems = []
    for name, job in jobs(load(path)).items():
        if not is_deploy_job(job):
            continue
        if GATE not in str(job.get("if", "")):
            problems.append(f"{path.name}: deploy job {name} is not gated on {GATE}")
        concurrency = job.get("concurrency")
        if not concurrency or (
            isinstance(concurrency, dict) and concurrency.get("cancel-in-progress")
        ):
            problems.append(
                f"{path.name}: deploy job {name} has no non-cancelling concurrency group"
            )
    return problems


def latest_deployed(path: Path) -> list[str]:
    """Deploy jobs never name `:latest`, and every image pin names a commit SHA and digest."""
    problems = []
    for name, job in jobs(load(path)).items():
        if is_deploy_job(job) and ":latest" in yaml.safe_dump(job):
            problems.append(f"{path.name}: deploy job {name} mentions :latest")
        for line in runs(job).splitlines():
            if IMAGE_PIN.search(line) and not SHA_AT_DIGEST.search(line):
                problems.append(f"{path.name}: job {name} pins an image without SHA@digest")
    return problems


def broad_permissions(path: Path) -> list[str]:
    """Permissions are declared, never write-all, and per job when the workflow grants none."""
    workflow = load(path)
    problems = []
    top = workflow.get("permissions")
    if top is None:
        problems.append(f"{path.name}: no top-level permissions")
    if top in ("write-all", "read-all"):
        problems.append(f"{path.name}: top-level permissions {top}")
    for name, job in jobs(workflow).items():
        granted = job.get("permissions", top)
        if granted == "write-all" or (top == {} and "permissions" not in job):
            problems.append(f"{path.name}: job {name} has no least-privilege permissions")
    return problems


GUARD = ".github/scripts/newer-than-deployed"


def _step_index(job: dict[str, Any], needle: str) -> int | None:
    for index, step in enumerate(job.get("steps") or []):
        if needle in str(step.get("run", "")) or needle in str(step.get("uses", "")):
            return index
    return None


def unguarded_rollouts(path: Path) -> list[str]:
    """A job that deploys or pins checks first that its commit is not older than what is
    deployed; the pin job waits for the deploy (and its smoke test)."""
    problems = []
    all_jobs = jobs(load(path))
    for name, job in all_jobs.items():
        acts = _step_index(job, "travelctl deploy")
        if acts is None:
            acts = _step_index(job, "git push")
        if acts is None:
            continue
        guard = _step_index(job, GUARD)
        if guard is None or guard > acts:
            problems.append(f"{path.name}: job {name} does not run {GUARD} before it acts")
        checkout: dict[str, Any] = next(
            (s for s in job.get("steps") or [] if "checkout" in str(s.get("uses"))), {}
        )
        if checkout.get("with", {}).get("fetch-depth") != 0:
            problems.append(f"{path.name}: job {name} checks out without history (fetch-depth 0)")
        if "git push" in runs(job):
            needs = job.get("needs", [])
            if "deploy" in all_jobs and "deploy" not in (
                needs if isinstance(needs, list) else [needs]
            ):
                problems.append(f"{path.name}: job {name} pins without waiting for the deploy")
    return problems


def unscanned_or_unsigned(path: Path) -> list[str]:
    """Every job that pushes images scans them (failing on CRITICAL) and signs them by digest."""
    problems = []
    for name, job in jobs(load(path)).items():
        pushes = [s for s in job.get("steps") or [] if "build-push-action" in str(s.get("uses"))]
        if not pushes:
            continue
        scans = [s for s in job["steps"] if "trivy-action" in str(s.get("uses"))]
        failing = [
            s
            for s in scans
            if "CRITICAL" in str(s["with"].get("severity"))
            and str(s["with"].get("exit-code")) == "1"
        ]
        if len(failing) < len(pushes):
            problems.append(f"{path.name}: job {name} does not fail on CRITICAL in every image")
        signs = runs(job).count("cosign sign --yes")
        if signs < len(pushes) or _step_index(job, "cosign-installer") is None:
            problems.append(f"{path.name}: job {name} does not sign every image with cosign")
        if job.get("permissions", {}).get("id-token") != "write":
            problems.append(f"{path.name}: job {name} lacks id-token: write for keyless signing")
    return problems


def unpinned_kustomize(path: Path) -> list[str]:
    """A job that runs the kustomize binary installs a pinned version first."""
    problems = []
    workflow = load(path)
    pinned = str(workflow.get("env", {}).get("KUSTOMIZE_VERSION", ""))
    for name, job in jobs(workflow).items():
        uses = _step_index(job, "kustomize edit")
        if uses is None:
            continue
        install = _step_index(job, "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}")
        if install is None or install > uses or not re.fullmatch(r"v\d+\.\d+\.\d+", pinned):
            problems.append(f"{path.name}: job {name} runs an unpinned kustomize")
    return problems


CHECKS = {
    "guarded rollouts": unguarded_rollouts,
    "scanned and signed": unscanned_or_unsigned,
    "pinned kustomize": unpinned_kustomize,
    "pinned actions": unpinned_actions,
    "timeouts": jobs_without_timeout,
    "gated deploys": ungated_deploys,
    "no latest deployed": latest_deployed,
    "permissions": broad_permissions,
}


# ---- the checks as tests ----


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


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
def test_policy_holds(check: Callable[[Path], list[str]]) -> None:
    problems = [p for name in NAMES for p in check(WORKFLOWS / name)]

    assert problems == []


# Each: in a copy of a workflow one text replaced, which the named check must report.
BREAKAGES = [
    (row["check"], row["file"], row["old"], row["new"])
    for row in yaml.safe_load((Path(__file__).with_name("workflow_breakages.yaml")).read_text())
]


@pytest.mark.parametrize(("check", "name", "old", "new"), BREAKAGES)
def test_policy_catches_breakage(tmp_path: Path, check: str, name: str, old: str, new: str) -> None:
    path = broken_copy(tmp_path, name, old, new)

    assert CHECKS[check](path) != []


def test_ci_runs_the_readme_test_command_and_cd_calls_it_first() -> None:
    ci = load(WORKFLOWS / "ci.yml")
    cd = load(WORKFLOWS / "cd.yml")

    assert "./scripts/test" in runs(ci["jobs"]["test"])
    assert "./scripts/test" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert {"pull_request", "push", "workflow_call"} <= set(triggers(ci))
    assert cd["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert cd["jobs"]["images"]["needs"] == "test"
    assert cd["jobs"]["deploy"]["needs"] == "images"
