"""Kubernetes manifests: every overlay and component combination renders, validates against
Kubernetes 1.33 (and the custom resources against their own schemas), references only what
exists, and keeps the promises docs/deploy.md makes. Each check also meets a broken input
to show it can fail."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import cast

import pytest

from tests.delivery.delivery_checks import (
    K8S,
    NAMESPACE,
    Combo,
    Obj,
    Rendered,
    RenderError,
    combinations,
    custom_resource_problems,
    gateway_api_problems,
    gateway_objects,
    kubernetes_schema_problems,
    reference_problems,
    render,
)

COMBOS = combinations()
IDS = [c.id for c in COMBOS]
SECRET_SETTINGS = {
    "OPENAI_API_KEY",
    "GOOGLE_MAPS_API_KEY",
    "AGENT_API_TOKEN",
    "UI_SECRET_KEY",
    "DATABASE_URL",
}


def objects_of(rendered: Rendered, combo_id: str) -> list[Obj]:
    return rendered.objects[combo_id]


def find(objects: list[Obj], kind: str, name: str | None = None) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]


def one(objects: list[Obj], kind: str, name: str) -> Obj:
    found = find(objects, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def container(deployment: Obj) -> Obj:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return cast(Obj, containers[0])


def env(deployment: Obj) -> dict[str, Obj]:
    return {e["name"]: e for e in container(deployment).get("env", [])}


def test_combinations_cover_every_overlay_and_component() -> None:
    assert {c.overlay for c in COMBOS} == {"dev", "prod", "ha"}
    assert any(len(c.components) == 3 for c in COMBOS)
    assert len(COMBOS) == 4 + 12 + 8  # prod: canary only with monitoring
    assert not any("kgateway-timeouts" in c.components for c in COMBOS if c.overlay == "dev")


def test_canary_refuses_an_overlay_without_monitoring(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="coagents-travel"):
        render(Combo("prod", ("canary",)), tmp_path / "work")


def test_canary_splits_the_ui_route_and_analyses_the_new_pods(rendered: Rendered) -> None:
    objects = objects_of(rendered, "prod+monitoring+canary")
    route = one(objects, "HTTPRoute", "travel-frontend-route")
    weights = {r["name"]: r["weight"] for r in route["spec"]["rules"][0]["backendRefs"]}
    assert weights == {"travel-frontend-service": 100, "travel-frontend-canary": 0}
    ui = one(objects, "Rollout", "travel-frontend")["spec"]
    plugin = ui["strategy"]["canary"]["trafficRouting"]["plugins"]["argoproj-labs/gatewayAPI"]
    assert plugin["httpRoute"] == "travel-frontend-route"
    assert ui["workloadRef"]["name"] == "travel-frontend"
    assert one(objects, "Rollout", "travel-backend")["spec"]["workloadRef"]["name"] == (
        "travel-backend"
    )
    monitor = one(objects, "ServiceMonitor", "coagents-travel")
    assert monitor["spec"]["podTargetLabels"] == ["rollouts-pod-template-hash"]
    queries = [
        m["provider"]["prometheus"]["query"]
        for o in find(objects, "AnalysisTemplate")
        for m in o["spec"]["metrics"]
    ]
    assert any("travel_ui_streams_total" in q for q in queries)
    assert any("travel_agent_runs_total" in q for q in queries)
    assert all('rollouts_pod_template_hash="{{args.canary-hash}}"' in q for q in queries)


def test_canary_checks_fail_on_broken_rollouts(rendered: Rendered) -> None:
    objects = copy.deepcopy(objects_of(rendered, "prod+monitoring+canary"))
    rollout = one(objects, "Rollout", "travel-frontend")
    rollout["spec"]["strategy"]["canary"]["steps"][0] = {"setWeight": 150}
    rollout["spec"]["strategy"]["canary"]["canaryService"] = "travel-frontend-canery"
    analysis = one(objects, "AnalysisTemplate", "travel-agent-canary")
    analysis["spec"]["metrics"][0]["provider"]["prometheus"]["query"] = "sum(rate(x[2m]) >"
    analysis["spec"]["metrics"][0]["successCondition"] = ""
    problems = custom_resource_problems(objects) + reference_problems(objects)
    assert any("setWeight 150" in p for p in problems), problems
    assert any("travel-frontend-canery is not rendered" in p for p in problems), problems
    assert any("PromQL does not parse" in p for p in problems), problems
    assert any("no success or failure condition" in p for p in problems), problems


def test_kgateway_timeouts_refuse_an_overlay_without_the_route(tmp_path: Path) -> None:
    # dev has no HTTPRoute: the component fails to render instead of shipping a TrafficPolicy
    # for a route that does not exist.
    with pytest.raises(RenderError, match="travel-frontend-route"):
        render(Combo("dev", ("kgateway-timeouts",)), tmp_path / "work")


# ------------------------------------------------------------------------------ rendering


@pytest.mark.parametrize("combo_id", IDS)
def test_renders_into_the_namespace(rendered: Rendered, combo_id: str) -> None:
    objects = objects_of(rendered, combo_id)
    assert find(objects, "Deployment", "travel-backend")
    assert find(objects, "Deployment", "travel-frontend")
    for obj in objects:
        if obj["kind"] == "Namespace":
            assert obj["metadata"]["name"] == NAMESPACE
        else:
            assert obj["metadata"].get("namespace") == NAMESPACE, obj["metadata"]["name"]


def test_a_broken_overlay_does_not_render(tmp_path: Path) -> None:
    broken = tmp_path / "k8s"
    shutil.copytree(K8S, broken)
    prod = broken / "overlays" / "prod" / "kustomization.yaml"
    prod.write_text(prod.read_text().replace("name: travel-backend\n", "name: travel-backnd\n", 1))
    with pytest.raises(RenderError, match=r"no matches|failed to find"):
        render(Combo("prod", ()), tmp_path / "work", k8s=broken)


# ------------------------------------------------------------------ Kubernetes 1.33 schemas


@pytest.mark.parametrize("combo_id", IDS)
def test_objects_validate_against_kubernetes_1_33(rendered: Rendered, combo_id: str) -> None:
    assert kubernetes_schema_problems(objects_of(rendered, combo_id)) == []


def test_schema_check_fails_on_an_unknown_field_and_an_unlisted_kind(rendered: Rendered) -> None:
    deployment = copy.deepcopy(one(objects_of(rendered, "prod"), "Deployment", "travel-backend"))
    container(deployment)["securityContxt"] = {"runAsNonRoot": True}
    stray = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": NAMESPACE},
    }
    problems = kubernetes_schema_problems([deployment, stray])
    assert any("securityContxt" in p for p in problems), problems
    assert any("Widget" in p and "no schema" in p for p in problems), problems


# ------------------------------------------------------------------------------ Gateway API


@pytest.mark.parametrize("combo_id", IDS)
def test_gateway_api_objects_validate(
    rendered: Rendered, combo_id: str, gateway_validator: Path
) -> None:
    objects = gateway_objects(objects_of(rendered, combo_id))
    expected = set() if combo_id.startswith("dev") else {"HTTPRoute", "ReferenceGrant"}
    assert {o["kind"] for o in objects} == expected
    assert gateway_api_problems(objects) == []


@pytest.mark.parametrize(
    ("timeouts", "expected"),
    [
        ({"request": "1 hour"}, "pattern"),
        ({"request": "60s", "backendRequest": "120s"}, "must not exceed"),
    ],
)
def test_gateway_check_fails_on_a_bad_timeout(
    rendered: Rendered, gateway_validator: Path, timeouts: dict[str, str], expected: str
) -> None:
    route = copy.deepcopy(one(objects_of(rendered, "prod"), "HTTPRoute", "travel-frontend-route"))
    route["spec"]["rules"][0]["timeouts"] = timeouts
    problems = gateway_api_problems([route])
    assert any(expected in p for p in problems), problems


def test_gateway_check_fails_on_a_wrong_type(rendered: Rendered, gateway_validator: Path) -> None:
    route = copy.deepcopy(one(objects_of(rendered, "prod"), "HTTPRoute", "travel-frontend-route"))
    route["spec"]["rules"][0]["backendRefs"][0]["port"] = "three thousand"
    assert gateway_api_problems([route]) != []


# ------------------------------------------------------------ other custom resources, refs


@pytest.mark.parametrize("combo_id", IDS)
def test_custom_resources_and_references_hold(rendered: Rendered, combo_id: str) -> None:
    objects = objects_of(rendered, combo_id)
    assert custom_resource_problems(objects) == []
    assert reference_problems(objects) == []


def test_custom_resource_check_fails_on_broken_objects(rendered: Rendered) -> None:
    objects = copy.deepcopy(objects_of(rendered, "ha+monitoring+kgateway-timeouts"))
    one(objects, "Cluster", "travel-db")["spec"]["instances"] = "three"
    rule = one(objects, "PrometheusRule", "coagents-travel")
    rule["spec"]["groups"][0]["rules"][0]["expr"] = "sum(rate(x[5m]) >"
    one(objects, "TrafficPolicy", "travel-frontend-streaming")["spec"]["timeouts"] = {
        "requestTimeout": "15s"
    }
    one(objects, "ScheduledBackup", "travel-db-nightly")["spec"]["schedule"] = "0 3 * * *"
    store = one(objects, "ObjectStore", "travel-db-backups")["spec"]["configuration"]
    store["s3Credentials"]["accessKeyId"] = "AKIA-in-git"
    problems = custom_resource_problems(objects)
    assert any("six cron fields" in p for p in problems), problems
    assert any("accessKeyId must be a Secret" in p for p in problems), problems
    assert any("instances" in p for p in problems), problems
    assert any("PromQL" in p for p in problems), problems
    assert any("requestTimeout" in p for p in problems), problems


def test_reference_check_fails_on_dangling_names(rendered: Rendered) -> None:
    objects = copy.deepcopy(objects_of(rendered, "prod+kgateway-timeouts"))
    route = one(objects, "HTTPRoute", "travel-frontend-route")
    route["spec"]["rules"][0]["backendRefs"][0]["name"] = "travel-frontend"
    one(objects, "TrafficPolicy", "travel-frontend-streaming")["spec"]["targetRefs"][0]["name"] = (
        "frontend-route"
    )
    problems = reference_problems(objects)
    ha = copy.deepcopy(objects_of(rendered, "ha"))
    one(ha, "ScheduledBackup", "travel-db-nightly")["spec"]["cluster"]["name"] = "travel"
    one(ha, "Cluster", "travel-db")["spec"]["plugins"][0]["parameters"]["barmanObjectName"] = "x"
    problems += reference_problems(ha)
    assert any("backs up a Cluster that is not rendered" in p for p in problems), problems
    assert any("ObjectStore x is not rendered" in p for p in problems), problems
    assert any("backend travel-frontend:3000" in p for p in problems), problems
    assert any("frontend-route" in p for p in problems), problems


# ------------------------------------------------------------------ what the docs promise


def test_namespace_joins_the_ambient_mesh(rendered: Rendered) -> None:
    namespace = one(objects_of(rendered, "prod"), "Namespace", NAMESPACE)
    assert namespace["metadata"]["labels"]["istio.io/dataplane-mode"] == "ambient"


@pytest.mark.parametrize("combo_id", IDS)
def test_deployments_are_hardened_and_probed(rendered: Rendered, combo_id: str) -> None:
    limits = {"travel-frontend": ("200m", "256Mi"), "travel-backend": ("500m", "512Mi")}
    for deployment in find(objects_of(rendered, combo_id), "Deployment"):
        name = deployment["metadata"]["name"]
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        c = container(deployment)
        assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, name
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["imagePullSecrets"] == [{"name": "ghcr-secret"}], name
        assert pod["topologySpreadConstraints"], name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True, name
        assert sc["allowPrivilegeEscalation"] is False, name
        assert sc["capabilities"]["drop"] == ["ALL"], name
        assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"], name
        assert c["startupProbe"]["httpGet"]["path"] == "/healthz", name
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        # the ui stays ready while the agent is down, so its page can say so
        ready = "/healthz" if name == "travel-frontend" else "/readyz"
        assert c["readinessProbe"]["httpGet"]["path"] == ready, name
        assert (c["resources"]["limits"]["cpu"], c["resources"]["limits"]["memory"]) == limits[name]
        assert c["resources"]["requests"], name


@pytest.mark.parametrize("combo_id", IDS)
def test_grace_period_outlasts_the_agents_shutdown(rendered: Rendered, combo_id: str) -> None:
    agent = one(objects_of(rendered, combo_id), "Deployment", "travel-backend")
    grace = float(env(agent)["SHUTDOWN_GRACE_SECONDS"]["value"])
    pre_stop = container(agent)["lifecycle"]["preStop"]["sleep"]["seconds"]
    uvicorn_close = 5  # timeout_graceful_shutdown in travel_agent.main
    total = grace + pre_stop + uvicorn_close
    assert agent["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > total


@pytest.mark.parametrize("combo_id", IDS)
def test_services_keep_their_names_and_no_affinity(rendered: Rendered, combo_id: str) -> None:
    objects = objects_of(rendered, combo_id)
    frontend = one(objects, "Service", "travel-frontend-service")
    backend = one(objects, "Service", "travel-backend-service")
    assert [p["port"] for p in frontend["spec"]["ports"]] == [3000]
    assert [p["port"] for p in backend["spec"]["ports"]] == [8000]
    for service in (frontend, backend):
        assert service["spec"].get("sessionAffinity", "None") == "None"
        assert service["spec"]["type"] == "ClusterIP"
    ui = one(objects, "Deployment", "travel-frontend")
    assert env(ui)["REMOTE_ACTION_URL"]["value"] == "http://travel-backend-service:8000/copilotkit"
    for deployment in ("travel-frontend", "travel-backend"):
        assert one(objects, "PodDisruptionBudget", deployment)


@pytest.mark.parametrize("combo_id", IDS)
def test_secrets_are_referenced_never_written(rendered: Rendered, combo_id: str) -> None:
    objects = objects_of(rendered, combo_id)
    assert find(objects, "Secret") == []
    for deployment in find(objects, "Deployment"):
        for name, item in env(deployment).items():
            if name in SECRET_SETTINGS:
                assert "value" not in item and "secretKeyRef" in item["valueFrom"], name


@pytest.mark.parametrize("combo_id", IDS)
def test_no_latest_and_prod_pins_sha_and_digest(rendered: Rendered, combo_id: str) -> None:
    for deployment in find(objects_of(rendered, combo_id), "Deployment"):
        image = container(deployment)["image"]
        assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
        if not combo_id.startswith("dev"):
            assert re.fullmatch(r"ghcr\.io/[^:@]+:[0-9a-f]{40}@sha256:[0-9a-f]{64}", image), image


def test_ha_backs_up_its_database(rendered: Rendered) -> None:
    ha = objects_of(rendered, "ha")
    cluster = one(ha, "Cluster", "travel-db")
    plugin = cluster["spec"]["plugins"][0]
    assert plugin["name"] == "barman-cloud.cloudnative-pg.io" and plugin["isWALArchiver"]
    store = one(ha, "ObjectStore", plugin["parameters"]["barmanObjectName"])
    creds = store["spec"]["configuration"]["s3Credentials"]
    assert {creds[k]["name"] for k in ("accessKeyId", "secretAccessKey")} == {"travel-db-backup"}
    backup = one(ha, "ScheduledBackup", "travel-db-nightly")
    assert backup["spec"]["cluster"]["name"] == "travel-db"
    assert backup["spec"]["method"] == "plugin"


def test_replicas_and_database_per_overlay(rendered: Rendered) -> None:
    dev, prod, ha = (objects_of(rendered, o) for o in ("dev", "prod", "ha"))
    for name in ("travel-frontend", "travel-backend"):
        assert one(dev, "Deployment", name)["spec"]["replicas"] == 1
    assert "DATABASE_URL" not in env(one(dev, "Deployment", "travel-backend"))
    assert find(dev, "HTTPRoute") == []

    assert one(prod, "Deployment", "travel-frontend")["spec"]["replicas"] == 2
    ref = env(one(prod, "Deployment", "travel-backend"))["DATABASE_URL"]["valueFrom"]
    assert ref["secretKeyRef"] == {"name": "travel-secrets", "key": "DATABASE_URL"}
    assert find(prod, "HorizontalPodAutoscaler") == []

    agent = one(ha, "Deployment", "travel-backend")
    assert "replicas" not in agent["spec"]  # the HPA owns it
    hpa = one(ha, "HorizontalPodAutoscaler", "travel-backend")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 4)
    cluster = one(ha, "Cluster", "travel-db")
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert cluster["spec"]["instances"] == 3
    ref = env(agent)["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "travel-db-app", "key": "uri"}  # CloudNativePG's generated secret


def test_route_timeouts_are_sized_for_streaming(rendered: Rendered) -> None:
    def seconds(text: str) -> int:
        units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
        return int(sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(h|ms|m|s)", text)))

    objects = objects_of(rendered, "prod+kgateway-timeouts")
    route = one(objects, "HTTPRoute", "travel-frontend-route")
    assert route["spec"]["parentRefs"][0]["name"] == "default-gateway"
    for rule in route["spec"]["rules"]:
        timeouts = rule["timeouts"]
        for field in ("request", "backendRequest"):
            # zero disables the timeout; otherwise far beyond kgateway's 15 s default
            assert seconds(timeouts[field]) == 0 or seconds(timeouts[field]) >= 600
    policy = one(objects, "TrafficPolicy", "travel-frontend-streaming")
    assert seconds(policy["spec"]["timeouts"]["request"]) >= 600
    assert seconds(policy["spec"]["timeouts"]["streamIdle"]) >= 300


def test_network_policies_deny_by_default_and_open_only_the_paths(rendered: Rendered) -> None:
    objects = objects_of(rendered, "prod")
    deny = one(objects, "NetworkPolicy", "default-deny-all")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}

    backend = one(objects, "NetworkPolicy", "travel-backend")["spec"]
    pod_sources = [
        f["podSelector"] for rule in backend["ingress"] for f in rule["from"] if "podSelector" in f
    ]
    assert pod_sources == [{"matchLabels": {"app": "travel-frontend"}}]
    egress_ports = {p["port"] for rule in backend["egress"] for p in rule.get("ports", [])}
    assert egress_ports == {5432, 443, 15008}

    frontend = one(objects, "NetworkPolicy", "travel-frontend")["spec"]
    namespaces = [
        f["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for rule in frontend["ingress"]
        for f in rule["from"]
        if "namespaceSelector" in f
    ]
    assert "default" in namespaces  # the Gateway's namespace
    for policy in find(objects, "NetworkPolicy"):
        for rule in policy["spec"].get("ingress", []):
            for source in rule.get("from", []):
                assert source.get("ipBlock", {}).get("cidr") != "0.0.0.0/0"
