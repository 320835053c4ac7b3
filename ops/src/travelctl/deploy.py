"""`travelctl deploy`: render an overlay, pin images, apply, wait for the rollout."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from travelctl import manifests
from travelctl.errors import OpsError
from travelctl.kubectl import Kubectl
from travelctl.names import DEPLOYMENTS
from travelctl.rollout import PREVIOUS_REVISION_ANNOTATION, revisions


@dataclass(frozen=True)
class Plan:
    overlay: Path
    docs: list[manifests.Manifest]

    @property
    def images(self) -> list[str]:
        return sorted(set(manifests.images(self.docs)))


def plan(
    kubectl: Kubectl,
    k8s_dir: Path,
    overlay: str,
    namespace: str,
    tag: str | None,
    owner: str | None,
) -> Plan:
    """Render the overlay with our images pinned; refuse anything that would not deploy cleanly."""
    if tag is not None and tag.strip().lower() in ("", "latest"):
        raise OpsError("Refusing --tag latest: deploy a commit SHA so a rollback has a target.")
    path = manifests.overlay_dir(k8s_dir, overlay)
    docs = manifests.render(kubectl, path)
    manifests.set_images(docs, tag, owner)
    manifests.check_deployable(docs)
    for name in DEPLOYMENTS:
        doc = manifests.find(docs, "Deployment", name)
        if doc is None:
            raise OpsError(f"The {overlay} overlay has no Deployment {name}.")
        doc_namespace = (doc.get("metadata") or {}).get("namespace")
        if doc_namespace != namespace:
            raise OpsError(
                f"The {overlay} overlay puts {name} in namespace {doc_namespace or '(none)'}, "
                f"not {namespace}: pass --namespace {doc_namespace or '…'} or fix the overlay."
            )
    return Plan(path, docs)


def apply(kubectl: Kubectl, plan: Plan, namespace: str, record: Path | None = None) -> str:
    """Note each Deployment's current revision (on it, and in `record` when given), then apply.

    The record is written before anything is applied, so whatever fails after this point,
    `travelctl rollback --recorded FILE` knows exactly where each Deployment was.
    """
    before: dict[str, str | None] = {}
    for name in DEPLOYMENTS:
        found = revisions(kubectl, namespace, name)
        before[name] = found.current if found else None
        doc = manifests.find(plan.docs, "Deployment", name)
        if found is None or found.current is None or doc is None:
            continue
        metadata = doc.setdefault("metadata", {})
        annotations = metadata.setdefault("annotations", {})
        annotations[PREVIOUS_REVISION_ANNOTATION] = found.current
    if record is not None:
        record.write_text(json.dumps({"namespace": namespace, "revisions": before}) + "\n")
    result = kubectl.run("apply", "-f", "-", stdin=manifests.dump(plan.docs))
    return result.stdout.strip()
