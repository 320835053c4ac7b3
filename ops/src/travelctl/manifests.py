"""Renders a kustomize overlay and edits its images in memory (what `kustomize edit set image`
does to the file, without touching the file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from travelctl.errors import OpsError
from travelctl.images import ImageRef
from travelctl.kubectl import Kubectl
from travelctl.names import DEPLOYMENTS

Manifest = dict[str, Any]

_POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


def overlay_dir(k8s_dir: Path, overlay: str) -> Path:
    path = k8s_dir / "overlays" / overlay
    if not (path / "kustomization.yaml").is_file():
        raise OpsError(
            f"No kustomize overlay at {path}: run travelctl from the repository root, "
            "or pass --k8s-dir, and check the overlay name."
        )
    return path


def render(kubectl: Kubectl, path: Path) -> list[Manifest]:
    """`kubectl kustomize PATH`, parsed (rendering is local: no cluster, no context)."""
    result = kubectl.run("kustomize", str(path), with_context=False)
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    if not all(isinstance(doc, dict) for doc in docs):
        raise OpsError(f"`kubectl kustomize {path}` printed something that is not manifests.")
    return docs


def dump(docs: list[Manifest]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False)


def _pod_spec(doc: Manifest) -> dict[str, Any] | None:
    kind = doc.get("kind")
    spec = doc.get("spec") or {}
    if kind == "Pod":
        return spec if isinstance(spec, dict) else None
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
        kind = "Job"
    if kind in _POD_TEMPLATE_KINDS:
        pod_spec = (spec.get("template") or {}).get("spec")
        return pod_spec if isinstance(pod_spec, dict) else None
    return None


def containers(doc: Manifest) -> Iterator[dict[str, Any]]:
    """Every container (init containers included) of a workload manifest."""
    pod_spec = _pod_spec(doc)
    if pod_spec is None:
        return
    for key in ("initContainers", "containers"):
        for container in pod_spec.get(key) or []:
            if isinstance(container, dict):
                yield container


def images(docs: list[Manifest]) -> list[str]:
    return [str(c.get("image", "")) for doc in docs for c in containers(doc)]


def app_containers(docs: list[Manifest]) -> Iterator[dict[str, Any]]:
    """The containers of our two Deployments (init containers are someone else's images)."""
    for doc in docs:
        if (
            doc.get("kind") == "Deployment"
            and (doc.get("metadata") or {}).get("name") in DEPLOYMENTS
        ):
            pod_spec = _pod_spec(doc) or {}
            for container in pod_spec.get("containers") or []:
                if isinstance(container, dict):
                    yield container


def app_images(docs: list[Manifest]) -> list[ImageRef]:
    return [ImageRef.parse(str(c.get("image", ""))) for c in app_containers(docs)]


def set_images(docs: list[Manifest], tag: str | None, owner: str | None) -> None:
    """Point our two Deployments' images at `owner` and/or `tag`, in place.

    Found by Deployment, not by image name, so whatever the overlay calls the images works.
    """
    for container in app_containers(docs):
        ref = ImageRef.parse(str(container.get("image", "")))
        if owner:
            ref = ref.with_owner(owner)
        if tag:
            ref = ref.with_tag(tag)
        container["image"] = str(ref)


def check_deployable(docs: list[Manifest]) -> None:
    """Refuse images that name no build (`:latest`, no tag) or are still placeholders."""
    placeholder = [str(ref) for ref in app_images(docs) if ref.placeholder]
    if placeholder:
        raise OpsError(
            f"The overlay's images are placeholders ({', '.join(placeholder)}): pass "
            "--tag <commit SHA> (and --owner <GitHub owner> if the images are not under the "
            "owner shown), or pin them with `kustomize edit set image`."
        )
    unpinned = [i for i in images(docs) if not ImageRef.parse(i).pinned]
    if unpinned:
        raise OpsError(
            f"Refusing to deploy {', '.join(unpinned)}: `latest` or no tag names no particular "
            "build. Pass --tag <commit SHA> (or pin a digest in the overlay)."
        )


def find(docs: list[Manifest], kind: str, name: str) -> Manifest | None:
    for doc in docs:
        if doc.get("kind") == kind and (doc.get("metadata") or {}).get("name") == name:
            return doc
    return None
