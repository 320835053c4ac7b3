"""Waits for the two Deployments to roll out, and rolls them back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from travelctl import console
from travelctl.errors import OpsError
from travelctl.kubectl import Kubectl, KubectlError
from travelctl.names import DEPLOYMENTS

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
# Written by `travelctl deploy` on each Deployment: the revision it replaced, so `rollback`
# returns exactly there even when a deploy changed nothing (a plain `rollout undo` would
# then go one release too far back).
PREVIOUS_REVISION_ANNOTATION = "travelctl.coagents-travel/previous-revision"


@dataclass(frozen=True)
class Revisions:
    current: str | None
    previous: str | None


def revisions(kubectl: Kubectl, namespace: str, deployment: str) -> Revisions | None:
    """The Deployment's revision and the one travelctl recorded, or None when it does not exist."""
    result = kubectl.run(
        "get", "deployment", deployment, "--namespace", namespace, "-o", "json", check=False
    )
    if not result.ok:
        if "NotFound" in result.stderr or "not found" in result.stderr:
            return None
        raise KubectlError(f"kubectl get deployment {deployment}", result)
    annotations = (json.loads(result.stdout).get("metadata") or {}).get("annotations") or {}
    return Revisions(
        annotations.get(REVISION_ANNOTATION), annotations.get(PREVIOUS_REVISION_ANNOTATION)
    )


def wait(kubectl: Kubectl, namespace: str, timeout_seconds: int) -> None:
    for deployment in DEPLOYMENTS:
        console.info(f"Waiting for deployment/{deployment} to roll out ({timeout_seconds} s max)…")
        result = kubectl.run(
            "rollout",
            "status",
            f"deployment/{deployment}",
            "--namespace",
            namespace,
            f"--timeout={timeout_seconds}s",
            check=False,
            timeout=timeout_seconds + 30,
        )
        if not result.ok:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise OpsError(
                f"deployment/{deployment} did not roll out within {timeout_seconds} s"
                f" ({detail[-1] if detail else 'no detail'}). "
                "`travelctl status` shows why; `travelctl rollback` returns to the previous "
                "version."
            )
        console.status("ok", f"deployment/{deployment} rolled out")


def read_record(path: Path, namespace: str) -> dict[str, str | None] | None:
    """The revisions `travelctl deploy --record` wrote, or None when it wrote none."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("namespace") != namespace:
        raise OpsError(
            f"{path} records namespace {data.get('namespace')}, not {namespace}: "
            "pass the --namespace the deploy used."
        )
    recorded: dict[str, str | None] = data.get("revisions") or {}
    return recorded


def rollback_recorded(kubectl: Kubectl, namespace: str, record: Path, timeout_seconds: int) -> None:
    """Return each Deployment the deploy changed to the revision recorded before it."""
    recorded = read_record(record, namespace)
    if recorded is None:
        console.status("skip", f"no record at {record}: the deploy applied nothing to undo")
        return
    undone = False
    for deployment in DEPLOYMENTS:
        before = recorded.get(deployment)
        found = revisions(kubectl, namespace, deployment)
        current = found.current if found else None
        if before is None:
            console.status(
                "warn",
                f"deployment/{deployment} did not exist before the deploy; left as it is",
            )
        elif current == before:
            console.status("skip", f"deployment/{deployment} is still at revision {before}")
        else:
            result = kubectl.run(
                "rollout",
                "undo",
                f"deployment/{deployment}",
                "--namespace",
                namespace,
                f"--to-revision={before}",
            )
            console.status("ok", result.stdout.strip() or f"deployment/{deployment} rolled back")
            undone = True
    if undone:
        wait(kubectl, namespace, timeout_seconds)


def rollback(kubectl: Kubectl, namespace: str, revision: int | None, timeout_seconds: int) -> None:
    """Undo the last deploy on both Deployments (or go to `revision`), then wait."""
    for deployment in DEPLOYMENTS:
        args = ["rollout", "undo", f"deployment/{deployment}", "--namespace", namespace]
        if revision is not None:
            args.append(f"--to-revision={revision}")
        else:
            found = revisions(kubectl, namespace, deployment)
            if found is None:
                raise OpsError(
                    f"deployment/{deployment} does not exist in namespace {namespace}: "
                    "nothing to roll back."
                )
            if found.previous is not None and found.previous == found.current:
                console.status(
                    "skip",
                    f"deployment/{deployment} already runs revision {found.current}, the one "
                    "before the last deploy (use --revision N to go further back)",
                )
                continue
            if found.previous is not None:
                args.append(f"--to-revision={found.previous}")
        result = kubectl.run(*args)
        console.status("ok", result.stdout.strip() or f"deployment/{deployment} rolled back")
    wait(kubectl, namespace, timeout_seconds)
