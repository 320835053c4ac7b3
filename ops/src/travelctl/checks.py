"""`travelctl check`: are the prerequisites of a deploy in place? One line per fact."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from travelctl import console, manifests
from travelctl.envfile import read_secret_values
from travelctl.errors import OpsError
from travelctl.images import ImageRef
from travelctl.kubectl import Kubectl, first_line
from travelctl.registry import image_exists

REGISTRY_TIMEOUT_SECONDS = 10.0


@dataclass
class Report:
    failures: int = 0

    def ok(self, message: str) -> None:
        console.status("ok", message)

    def warn(self, message: str) -> None:
        console.status("warn", message)

    def skip(self, message: str) -> None:
        console.status("skip", message)

    def fail(self, message: str) -> None:
        self.failures += 1
        console.status("fail", message)


def check_kubectl(kubectl: Kubectl, report: Report) -> bool:
    try:
        path = kubectl.path()
    except OpsError as error:
        report.fail(str(error))
        return False
    result = kubectl.run("version", "--client", "-o", "json", check=False, with_context=False)
    version = "unknown version"
    if result.ok:
        version = json.loads(result.stdout).get("clientVersion", {}).get("gitVersion", version)
    report.ok(f"kubectl {version} ({path})")
    return True


def check_cluster(kubectl: Kubectl, namespace: str, report: Report) -> None:
    try:
        context = kubectl.current_context()
    except OpsError as error:
        report.fail(str(error))
        return
    report.ok(f"context {context}")
    found = kubectl.run(
        "get", "namespace", namespace, "-o", "name", "--request-timeout=10s", check=False
    )
    if found.ok:
        report.ok(f"cluster reachable, namespace {namespace} exists")
    elif "NotFound" in found.stderr or "not found" in found.stderr:
        report.ok(f"cluster reachable; namespace {namespace} will be created by secrets/deploy")
    else:
        report.fail(f"cannot reach the cluster of context {context}: {first_line(found.stderr)}")


def check_env(env_file: Path, environ: Mapping[str, str], report: Report) -> None:
    if not env_file.is_file():
        report.warn(f"{env_file} not found: copy .env.example to .env and fill in the keys")
    try:
        found = read_secret_values(env_file, environ)
    except OpsError as error:
        report.fail(str(error))
        return
    for name in found.names:
        report.ok(f"{name} is set (value not shown)")
    for name, consequence in found.missing_api_keys().items():
        report.warn(f"{name} is not set: offline mode, {consequence}")


def our_images(
    kubectl: Kubectl, k8s_dir: Path, overlay: str, tag: str | None, owner: str | None
) -> list[ImageRef]:
    docs = manifests.render(kubectl, manifests.overlay_dir(k8s_dir, overlay))
    manifests.set_images(docs, tag, owner)
    return sorted(set(manifests.app_images(docs)), key=str)


def check_images(
    kubectl: Kubectl,
    k8s_dir: Path,
    overlay: str,
    tag: str | None,
    owner: str | None,
    report: Report,
) -> None:
    try:
        refs = our_images(kubectl, k8s_dir, overlay, tag, owner)
    except OpsError as error:
        report.skip(f"images not checked: {error}")
        return
    if not refs:
        report.warn(f"the {overlay} overlay has no travel-backend or travel-frontend Deployment")
        return
    with httpx.Client(timeout=REGISTRY_TIMEOUT_SECONDS) as client:
        for ref in refs:
            if ref.placeholder:
                report.skip(f"{ref}: a placeholder; pass --tag <commit SHA> to check that build")
            elif not ref.pinned:
                report.skip(f"{ref}: not pinned; pass --tag <commit SHA> to check that build")
            else:
                answer = image_exists(client, ref)
                if answer.verdict == "present":
                    report.ok(answer.detail)
                elif answer.verdict == "missing":
                    report.fail(answer.detail)
                elif answer.verdict == "unreachable":
                    report.skip(f"images not checked: {answer.detail}")
                    return
                else:
                    report.warn(answer.detail)


def run_checks(
    kubectl: Kubectl,
    namespace: str,
    env_file: Path,
    environ: Mapping[str, str],
    k8s_dir: Path,
    overlay: str,
    tag: str | None,
    owner: str | None,
) -> bool:
    """Print every check; True when none failed (warnings and skips do not fail)."""
    report = Report()
    if check_kubectl(kubectl, report):
        check_cluster(kubectl, namespace, report)
    check_env(env_file, environ, report)
    try:
        kubectl.path()
    except OpsError:
        report.skip("images not checked: kubectl is needed to render the overlay")
    else:
        check_images(kubectl, k8s_dir, overlay, tag, owner, report)
    return report.failures == 0
