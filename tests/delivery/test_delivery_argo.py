"""Argo CD Application and Argo Workflows template: structurally valid, their containers valid
Kubernetes containers, and pointing at things that exist in this repository."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from tests.delivery.delivery_checks import (
    ROOT,
    Obj,
    Rendered,
    custom_resource_problems,
    group_of,
    kubernetes_schema_problems,
    kustomize,
)
from tests.delivery.secure_defaults import secure_default_problems

APPLICATION = ROOT / "deploy" / "argocd" / "application.yaml"
PROJECT = ROOT / "deploy" / "argocd" / "project.yaml"
ARGOCD_OVERLAY = ROOT / "deploy" / "k8s" / "overlays" / "argocd"
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
        # As written: a container without a name fails the schema (Argo would call it "main").
        pod_spec: Obj = {
            "containers": [template["container"]],
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
    assert source["path"] == "deploy/k8s/overlays/argocd"
    project = load(PROJECT)
    assert app["spec"]["project"] == project["metadata"]["name"] != "default"
    assert source["repoURL"] in project["spec"]["sourceRepos"]
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

    nameless = copy.deepcopy(load(WORKFLOW_TEMPLATE))
    for each in nameless["spec"]["templates"]:
        each.get("container", {}).pop("name", None)
    assert any(
        "'name' is a required property" in p
        for p in kubernetes_schema_problems(template_pods(nameless))
    )


def not_whitelisted(project: Obj, objects: list[Obj]) -> set[str]:
    """Kinds an overlay renders that the AppProject would refuse to sync."""
    spec = project["spec"]
    allowed = {
        (e["group"], e["kind"])
        for e in spec.get("clusterResourceWhitelist", []) + spec["namespaceResourceWhitelist"]
    }
    return {
        f"{group_of(o)}/{o['kind']}" for o in objects if (group_of(o), o["kind"]) not in allowed
    }


def test_project_is_restricted_and_admits_every_rendered_kind(rendered: Rendered) -> None:
    project = load(PROJECT)
    assert custom_resource_problems([project]) == []
    assert [d["namespace"] for d in project["spec"]["destinations"]] == ["app-travelexample"]
    for combo_id, objects in rendered.objects.items():
        if not combo_id.startswith("dev"):
            assert not_whitelisted(project, objects) == set(), combo_id
    assert not_whitelisted(project, kustomize(ARGOCD_OVERLAY)) == set()


def test_project_checks_fail_on_a_wide_or_short_project(rendered: Rendered) -> None:
    project = copy.deepcopy(load(PROJECT))
    project["spec"]["sourceRepos"] = ["*"]
    project["spec"]["destinations"][0]["namespace"] = "*"
    problems = custom_resource_problems([project])
    assert any("any repository" in p for p in problems), problems
    assert any("any namespace" in p for p in problems), problems
    project["spec"]["namespaceResourceWhitelist"] = [
        e for e in project["spec"]["namespaceResourceWhitelist"] if e["kind"] != "ObjectStore"
    ]
    assert not_whitelisted(project, rendered.objects["ha"]) == {"barmancloud.cnpg.io/ObjectStore"}


def test_argocd_overlay_is_prod_plus_a_post_sync_smoke_hook() -> None:
    objects = kustomize(ARGOCD_OVERLAY)
    assert kubernetes_schema_problems(objects) == []
    assert secure_default_problems(objects) == []
    jobs = [o for o in objects if o["kind"] == "Job"]
    assert [j["metadata"]["name"] for j in jobs] == ["travel-smoke"]
    annotations = jobs[0]["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "PostSync"
    assert "BeforeHookCreation" in annotations["argocd.argoproj.io/hook-delete-policy"]
    ui = next(
        o for o in objects if o["kind"] == "Deployment" and "frontend" in o["metadata"]["name"]
    )
    image = jobs[0]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == ui["spec"]["template"]["spec"]["containers"][0]["image"]  # same pin
    # Under default deny the Job may reach the ui, and the ui admits it.
    smoke = [
        o for o in objects if o["kind"] == "NetworkPolicy" and "smoke" in o["metadata"]["name"]
    ]
    assert {p["metadata"]["name"] for p in smoke} == {"travel-smoke", "travel-frontend-from-smoke"}


def test_hook_check_fails_on_a_broken_hook() -> None:
    objects = kustomize(ARGOCD_OVERLAY)
    job = next(o for o in objects if o["kind"] == "Job")
    job["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsRoot"] = True
    assert kubernetes_schema_problems([job]) != []
