"""Argo CD Application and Argo Workflows template: structurally valid, their containers valid
Kubernetes containers, and pointing at things that exist in this repository."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from tests.delivery.delivery_checks import (
    ROOT,
    Obj,
    custom_resource_problems,
    kubernetes_schema_problems,
    kustomize,
)

APPLICATION = ROOT / "deploy" / "argocd" / "application.yaml"
WORKFLOW_TEMPLATE = ROOT / "deploy" / "argo" / "workflow-template.yaml"


def load(path: Path) -> Obj:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert len(docs) == 1
    return dict(docs[0])


def template_pods(workflow_template: Obj) -> list[Obj]:
    """Each container template as the Pod Argo would run, for Kubernetes schema validation."""
    spec = workflow_template["spec"]
    pods = []
    for template in spec["templates"]:
        if "container" not in template:
            continue
        main = {"name": "main", **template["container"]}  # Argo names it "main"
        pod_spec: Obj = {
            "containers": [main],
            "volumes": spec.get("volumes", []) + template.get("volumes", []),
        }
        if "initContainers" in template:
            pod_spec["initContainers"] = template["initContainers"]
        if "securityContext" in template:
            pod_spec["securityContext"] = template["securityContext"]
        pods.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": template["name"]},
                "spec": pod_spec,
            }
        )
    return pods


def test_application_syncs_the_prod_overlay() -> None:
    app = load(APPLICATION)
    assert custom_resource_problems([app]) == []
    source, policy = app["spec"]["source"], app["spec"]["syncPolicy"]
    assert source["path"] == "deploy/k8s/overlays/prod"
    assert kustomize(ROOT / source["path"])  # the path exists and renders
    assert app["spec"]["destination"]["namespace"] == "app-travelexample"
    assert policy["automated"] == {"prune": True, "selfHeal": True}
    assert "CreateNamespace=true" in policy["syncOptions"]
    assert policy["retry"]["limit"] > 0 and policy["retry"]["backoff"]["factor"] > 1


def test_workflow_template_is_valid() -> None:
    template = load(WORKFLOW_TEMPLATE)
    assert custom_resource_problems([template]) == []
    pods = template_pods(template)
    assert len(pods) == 2
    assert kubernetes_schema_problems(pods) == []


def test_workflow_builds_with_rootless_buildkit_and_pins_prod() -> None:
    template = load(WORKFLOW_TEMPLATE)
    templates = {t["name"]: t for t in template["spec"]["templates"]}
    build = templates["build"]["container"]
    assert build["image"].startswith("moby/buildkit:v") and build["image"].endswith("-rootless")
    assert "buildctl-daemonless.sh build" in build["args"][0]
    images = [c["image"] for p in template_pods(template) for c in p["spec"]["containers"]]
    images += [c["image"] for t in templates.values() for c in t.get("initContainers", [])]
    assert all(":" in i and not i.endswith(":latest") for i in images), images
    assert not any("kaniko" in i for i in images)  # archived in June 2025

    set_images = templates["pin-and-commit"]["initContainers"][1]
    overlay = set_images["workingDir"].removeprefix("/work/repo/")
    assert overlay == "deploy/k8s/overlays/prod" and (ROOT / overlay).is_dir()
    base_images = {
        c["image"].split(":")[0]
        for o in kustomize(ROOT / "deploy" / "k8s" / "base")
        if o["kind"] == "Deployment"
        for c in o["spec"]["template"]["spec"]["containers"]
    }
    pinned = {arg.split("=")[0] for arg in set_images["args"] if "=" in arg}
    assert pinned == base_images
    assert "[skip ci]" in templates["pin-and-commit"]["container"]["args"][0]


def test_argo_checks_fail_on_broken_objects() -> None:
    template = copy.deepcopy(load(WORKFLOW_TEMPLATE))
    template["spec"]["templates"][0]["dag"]["tasks"][0]["template"] = "bulid"
    app = copy.deepcopy(load(APPLICATION))
    del app["spec"]["source"]["path"]
    problems = custom_resource_problems([template, app])
    assert any("unknown template" in p for p in problems), problems
    assert any("spec.source.path" in p for p in problems), problems

    pods = template_pods(load(WORKFLOW_TEMPLATE))
    pods[0]["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalaton"] = True
    assert kubernetes_schema_problems(pods) != []
