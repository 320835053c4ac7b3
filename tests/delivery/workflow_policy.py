"""This repository's rules for its GitHub Actions workflows, beyond what the linters know.

Each check returns the violations it found, as sentences naming the workflow and job.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

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


CHECKS = {
    "pinned actions": unpinned_actions,
    "timeouts": jobs_without_timeout,
    "gated deploys": ungated_deploys,
    "no latest deployed": latest_deployed,
    "permissions": broad_permissions,
}
