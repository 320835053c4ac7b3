"""The delivery checks: render, validate and lint what ships. Each returns the problems it
found (an empty list when all is well), so tests can run it on the real files and on a
deliberately broken copy alike."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import promql_parser
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
VENV_BIN = ROOT / ".venv" / "bin"
CHECKOV = ROOT / ".test-tools" / "checkov" / "bin" / "checkov"
GATEWAY_VALIDATOR = ROOT / "tools" / "gateway-api" / "validate.cjs"

KUBERNETES_VERSION = "1.33"
NAMESPACE = "app-travelexample"
OVERLAYS = ("dev", "prod", "ha")
# The optional components each overlay can take. prod and ha include network-policies
# (secure by default) and offer network-policies-off; kgateway-timeouts attaches to the
# HTTPRoute, which dev (no gateway) does not have (it refuses to render there).
COMPONENTS_FOR = {
    "dev": ("monitoring", "network-policies"),
    "prod": ("monitoring", "kgateway-timeouts", "network-policies-off", "canary"),
    "ha": ("monitoring", "kgateway-timeouts", "network-policies-off"),
}
COMPONENTS = tuple(sorted({c for cs in COMPONENTS_FOR.values() for c in cs}))
# canary reads the monitoring component's metrics (it patches its ServiceMonitor).
REQUIRES = {"canary": "monitoring"}

# API groups kubernetes-validate has no schema for; each gets its own validation below.
CUSTOM_GROUPS = {
    "gateway.networking.k8s.io": "Gateway API (validated by @kubernetes-models/gateway-api)",
    "gateway.kgateway.dev": "kgateway",
    "postgresql.cnpg.io": "CloudNativePG",
    "barmancloud.cnpg.io": "CloudNativePG Barman Cloud Plugin",
    "monitoring.coreos.com": "Prometheus Operator",
    "argoproj.io": "Argo CD / Argo Workflows",
}

Obj = dict[str, Any]


@dataclass(frozen=True)
class Combo:
    overlay: str
    components: tuple[str, ...]

    @property
    def id(self) -> str:
        return "+".join((self.overlay, *self.components))


def combinations() -> list[Combo]:
    """Every overlay with every subset of the optional components that makes sense for it."""
    combos: list[Combo] = []
    for overlay in OVERLAYS:
        allowed = COMPONENTS_FOR[overlay]
        for n in range(len(allowed) + 1):
            combos.extend(
                Combo(overlay, subset)
                for subset in itertools.combinations(allowed, n)
                if all(REQUIRES.get(c, c) in subset for c in subset)
            )
    return combos


class RenderError(Exception):
    pass


def kustomize(directory: Path) -> list[Obj]:
    """`kubectl kustomize` a directory into its objects."""
    result = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory} failed:\n{result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def render(combo: Combo, workdir: Path, k8s: Path = K8S) -> list[Obj]:
    """Render an overlay with components through a throw-away kustomization."""
    workdir.mkdir(parents=True, exist_ok=True)
    rel = Path(os.path.relpath(k8s, workdir))
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [str(rel / "overlays" / combo.overlay)],
        "components": [str(rel / "components" / c) for c in combo.components],
    }
    (workdir / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    return kustomize(workdir)


def name_of(obj: Obj) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def group_of(obj: Obj) -> str:
    api_version = str(obj.get("apiVersion", ""))
    return api_version.split("/")[0] if "/" in api_version else ""


# ---------------------------------------------------------------- Kubernetes schemas


def kubernetes_schema_problems(objects: Iterable[Obj]) -> list[str]:
    """kubernetes-validate, strict, for Kubernetes 1.33. A kind it has no schema for is a
    problem unless its API group is one of CUSTOM_GROUPS (validated elsewhere)."""
    problems = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            if group_of(obj) not in CUSTOM_GROUPS:
                problems.append(f"{name_of(obj)}: no schema for {obj.get('apiVersion')}")
        except kubernetes_validate.ValidationError as err:
            path = "/".join(str(p) for p in err.path)
            problems.append(f"{name_of(obj)}: {path}: {err.message}")
    return problems


# ---------------------------------------------------------------- Gateway API (Node)


def gateway_objects(objects: Iterable[Obj]) -> list[Obj]:
    return [o for o in objects if group_of(o) == "gateway.networking.k8s.io"]


def gateway_api_problems(objects: Sequence[Obj]) -> list[str]:
    """@kubernetes-models/gateway-api@0.5.1 schemas plus the CRD's timeout rule."""
    if not objects:
        return []
    node = shutil.which("node")
    if node is None:
        return ["node is not installed (scripts/test-deps installs it)"]
    result = subprocess.run(
        [node, str(GATEWAY_VALIDATOR)],
        input=json.dumps(list(objects)),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return []
    return result.stderr.strip().splitlines() or [f"validator exited {result.returncode}"]


# ---------------------------------------------------------------- other custom resources

DURATION = re.compile(r"^([0-9]{1,5}(h|m|s|ms)){1,4}$")


def _require(obj: Obj, path: str, problems: list[str]) -> Any:
    node: Any = obj
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            problems.append(f"{name_of(obj)}: missing {path}")
            return None
        node = node[key]
    return node


def _cnpg_cluster(obj: Obj, problems: list[str]) -> None:
    instances = _require(obj, "spec.instances", problems)
    if instances is not None and (not isinstance(instances, int) or instances < 1):
        problems.append(f"{name_of(obj)}: spec.instances must be a positive integer")
    size = _require(obj, "spec.storage.size", problems)
    if size is not None and not re.fullmatch(r"[0-9]+(Mi|Gi|Ti)", str(size)):
        problems.append(f"{name_of(obj)}: spec.storage.size {size!r} is not a quantity")


CNPG_SCHEDULE = re.compile(r"^(\S+\s+){5}\S+$")  # six fields: seconds first
BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"


def _cnpg_scheduled_backup(obj: Obj, problems: list[str]) -> None:
    schedule = _require(obj, "spec.schedule", problems)
    if schedule is not None and not CNPG_SCHEDULE.match(str(schedule)):
        problems.append(f"{name_of(obj)}: schedule {schedule!r} is not six cron fields")
    _require(obj, "spec.cluster.name", problems)
    method = obj.get("spec", {}).get("method", "barmanObjectStore")
    if method not in {"barmanObjectStore", "volumeSnapshot", "plugin"}:
        problems.append(f"{name_of(obj)}: unknown method {method!r}")
    if method == "plugin":
        name = _require(obj, "spec.pluginConfiguration.name", problems)
        if name is not None and name != BARMAN_PLUGIN:
            problems.append(f"{name_of(obj)}: plugin {name!r} is not {BARMAN_PLUGIN}")


def _barman_object_store(obj: Obj, problems: list[str]) -> None:
    path = _require(obj, "spec.configuration.destinationPath", problems)
    if path is not None and not re.match(r"^(s3|gs|https?)://", str(path)):
        problems.append(f"{name_of(obj)}: destinationPath {path!r} is not an object store URL")
    creds = obj.get("spec", {}).get("configuration", {}).get("s3Credentials", {})
    for key in ("accessKeyId", "secretAccessKey"):
        ref = creds.get(key)
        if not isinstance(ref, dict) or set(ref) != {"name", "key"}:
            problems.append(f"{name_of(obj)}: s3Credentials.{key} must be a Secret name and key")
    retention = obj.get("spec", {}).get("retentionPolicy")
    if retention is not None and not re.fullmatch(r"[1-9][0-9]*[dwm]", str(retention)):
        problems.append(f"{name_of(obj)}: retentionPolicy {retention!r} (e.g. 30d)")


def _prometheus_rule(obj: Obj, problems: list[str]) -> None:
    groups = _require(obj, "spec.groups", problems) or []
    for group in groups:
        for rule in group.get("rules", []):
            label = rule.get("alert") or rule.get("record")
            if not label:
                problems.append(f"{name_of(obj)}: a rule has neither alert nor record")
            try:
                promql_parser.parse(str(rule.get("expr", "")))
            except ValueError as err:
                problems.append(f"{name_of(obj)}: {label}: PromQL does not parse: {err}")
            for_ = rule.get("for")
            if for_ is not None and not DURATION.match(str(for_)):
                problems.append(f"{name_of(obj)}: {label}: bad duration for={for_!r}")


def _service_monitor(obj: Obj, problems: list[str]) -> None:
    _require(obj, "spec.selector", problems)
    endpoints = _require(obj, "spec.endpoints", problems) or []
    if not endpoints:
        problems.append(f"{name_of(obj)}: spec.endpoints is empty")
    for ep in endpoints:
        if "port" not in ep and "targetPort" not in ep:
            problems.append(f"{name_of(obj)}: an endpoint names no port")


def _traffic_policy(obj: Obj, problems: list[str]) -> None:
    refs = _require(obj, "spec.targetRefs", problems) or []
    for ref in refs:
        if ref.get("kind") not in {"Gateway", "HTTPRoute", "XListenerSet", "Backend"}:
            problems.append(f"{name_of(obj)}: targetRefs kind {ref.get('kind')!r} not allowed")
    for key, value in (obj.get("spec", {}).get("timeouts") or {}).items():
        if key not in {"request", "streamIdle"}:
            problems.append(f"{name_of(obj)}: unknown timeouts field {key!r}")
        elif not DURATION.match(str(value)):
            problems.append(f"{name_of(obj)}: timeouts.{key} {value!r} is not a duration")


def _argo_application(obj: Obj, problems: list[str]) -> None:
    for path in ("spec.project", "spec.source.repoURL", "spec.source.path", "spec.destination"):
        _require(obj, path, problems)


def _argo_project(obj: Obj, problems: list[str]) -> None:
    spec = obj.get("spec", {})
    for path in ("spec.sourceRepos", "spec.destinations"):
        _require(obj, path, problems)
    if "*" in spec.get("sourceRepos", []):
        problems.append(f"{name_of(obj)}: sourceRepos allows any repository")
    for dest in spec.get("destinations", []):
        if "*" in str(dest.get("namespace", "*")) or "*" in str(dest.get("server", "")):
            problems.append(f"{name_of(obj)}: a destination allows any namespace or cluster")
    for entry in spec.get("clusterResourceWhitelist", []) + spec.get(
        "namespaceResourceWhitelist", []
    ):
        if "*" in (entry.get("group"), entry.get("kind")):
            problems.append(f"{name_of(obj)}: a whitelist entry allows every {entry}")


ARG = re.compile(r"\{\{args\.([\w-]+)\}\}")


def _argo_analysis_template(obj: Obj, problems: list[str]) -> None:
    declared = {a.get("name") for a in obj.get("spec", {}).get("args", [])}
    for metric in _require(obj, "spec.metrics", problems) or []:
        label = metric.get("name")
        if not metric.get("successCondition") and not metric.get("failureCondition"):
            problems.append(f"{name_of(obj)}: {label}: no success or failure condition")
        prometheus = metric.get("provider", {}).get("prometheus")
        if prometheus is None:
            problems.append(f"{name_of(obj)}: {label}: not a Prometheus metric")
            continue
        text = f"{prometheus.get('query', '')} {prometheus.get('address', '')}"
        for arg in ARG.findall(text):
            if arg not in declared:
                problems.append(f"{name_of(obj)}: {label}: argument {arg!r} is not declared")
        try:
            promql_parser.parse(ARG.sub("x", str(prometheus.get("query", ""))))
        except ValueError as err:
            problems.append(f"{name_of(obj)}: {label}: PromQL does not parse: {err}")
        if metric.get("interval") and not DURATION.match(str(metric["interval"])):
            problems.append(f"{name_of(obj)}: {label}: bad interval {metric['interval']!r}")


def _argo_rollout(obj: Obj, problems: list[str]) -> None:
    _require(obj, "spec.selector.matchLabels", problems)
    ref = _require(obj, "spec.workloadRef", problems) or {}
    if ref and (ref.get("kind"), ref.get("apiVersion")) != ("Deployment", "apps/v1"):
        problems.append(f"{name_of(obj)}: workloadRef must be an apps/v1 Deployment")
    canary = _require(obj, "spec.strategy.canary", problems) or {}
    for step in canary.get("steps", []):
        if len(step) != 1 or next(iter(step)) not in {"setWeight", "pause", "analysis"}:
            problems.append(f"{name_of(obj)}: unknown canary step {step!r}")
        elif "setWeight" in step and not 0 <= int(step["setWeight"]) <= 100:
            problems.append(f"{name_of(obj)}: setWeight {step['setWeight']} out of 0..100")
    routing = canary.get("trafficRouting", {})
    if routing and not ({"canaryService", "stableService"} <= set(canary)):
        problems.append(f"{name_of(obj)}: traffic routing needs canaryService and stableService")


def _argo_workflow_template(obj: Obj, problems: list[str]) -> None:
    spec = obj.get("spec", {})
    templates = {t.get("name"): t for t in _require(obj, "spec.templates", problems) or []}
    if spec.get("entrypoint") not in templates:
        problems.append(f"{name_of(obj)}: entrypoint {spec.get('entrypoint')!r} is no template")
    for template in templates.values():
        for task in (template.get("dag") or {}).get("tasks", []):
            if task.get("template") not in templates:
                problems.append(f"{name_of(obj)}: task {task.get('name')} -> unknown template")


CUSTOM_VALIDATORS = {
    ("postgresql.cnpg.io/v1", "Cluster"): _cnpg_cluster,
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): _cnpg_scheduled_backup,
    ("barmancloud.cnpg.io/v1", "ObjectStore"): _barman_object_store,
    ("monitoring.coreos.com/v1", "PrometheusRule"): _prometheus_rule,
    ("monitoring.coreos.com/v1", "ServiceMonitor"): _service_monitor,
    ("gateway.kgateway.dev/v1alpha1", "TrafficPolicy"): _traffic_policy,
    ("argoproj.io/v1alpha1", "Application"): _argo_application,
    ("argoproj.io/v1alpha1", "WorkflowTemplate"): _argo_workflow_template,
    ("argoproj.io/v1alpha1", "AppProject"): _argo_project,
    ("argoproj.io/v1alpha1", "Rollout"): _argo_rollout,
    ("argoproj.io/v1alpha1", "AnalysisTemplate"): _argo_analysis_template,
}


def custom_resource_problems(objects: Iterable[Obj]) -> list[str]:
    """Structural checks for the non-Gateway custom resources (their CRDs' required fields,
    PromQL that parses, durations that the CRDs accept)."""
    problems: list[str] = []
    for obj in objects:
        group = group_of(obj)
        if group not in CUSTOM_GROUPS or group == "gateway.networking.k8s.io":
            continue
        validator = CUSTOM_VALIDATORS.get((obj.get("apiVersion", ""), obj.get("kind", "")))
        if validator is None:
            problems.append(f"{name_of(obj)}: no validator for {obj.get('apiVersion')}")
            continue
        _require(obj, "metadata.name", problems)
        validator(obj, problems)
    return problems


# ---------------------------------------------------------------- references between objects


def _index(objects: Iterable[Obj]) -> dict[tuple[str, str], Obj]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


def _pod_labels(objects: Iterable[Obj]) -> list[dict[str, str]]:
    return [
        o["spec"]["template"]["metadata"].get("labels", {})
        for o in objects
        if o["kind"] == "Deployment"
    ]


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def reference_problems(objects: Sequence[Obj]) -> list[str]:
    """What a cluster would only reveal at run time: names that point at nothing."""
    index = _index(objects)
    pods = _pod_labels(objects)
    problems = []
    for obj in objects:
        kind, spec = obj["kind"], obj.get("spec", {})
        if kind == "Service" or kind == "PodDisruptionBudget":
            selector = spec["selector"] if kind == "Service" else spec["selector"]["matchLabels"]
            if not any(_selects(selector, labels) for labels in pods):
                problems.append(f"{name_of(obj)}: selector matches no Deployment's pods")
        elif kind == "Deployment":
            pod = spec["template"]["spec"]
            if ("ServiceAccount", pod.get("serviceAccountName")) not in index:
                problems.append(f"{name_of(obj)}: ServiceAccount {pod.get('serviceAccountName')}")
        elif kind == "HorizontalPodAutoscaler":
            if ("Deployment", spec["scaleTargetRef"]["name"]) not in index:
                problems.append(f"{name_of(obj)}: scales a Deployment that is not rendered")
        elif kind == "HTTPRoute":
            for rule in spec.get("rules", []):
                for ref in rule.get("backendRefs", []):
                    service = index.get(("Service", ref["name"]))
                    ports = [p["port"] for p in (service or {}).get("spec", {}).get("ports", [])]
                    if service is None or ref.get("port") not in ports:
                        problems.append(f"{name_of(obj)}: backend {ref['name']}:{ref.get('port')}")
        elif kind == "Rollout":
            canary = spec.get("strategy", {}).get("canary", {})
            wanted = [("Deployment", spec.get("workloadRef", {}).get("name"))]
            wanted += [
                ("Service", canary[k]) for k in ("canaryService", "stableService") if k in canary
            ]
            plugin = canary.get("trafficRouting", {}).get("plugins", {})
            wanted += [("HTTPRoute", p.get("httpRoute")) for p in plugin.values()]
            wanted += [
                ("AnalysisTemplate", t["templateName"])
                for step in canary.get("steps", [])
                for t in step.get("analysis", {}).get("templates", [])
            ]
            for ref_kind, ref_name in wanted:
                if (ref_kind, ref_name) not in index:
                    problems.append(f"{name_of(obj)}: {ref_kind} {ref_name} is not rendered")
        elif kind == "ScheduledBackup":
            if ("Cluster", spec.get("cluster", {}).get("name")) not in index:
                problems.append(f"{name_of(obj)}: backs up a Cluster that is not rendered")
        elif kind == "Cluster":
            for plugin in spec.get("plugins", []):
                store = plugin.get("parameters", {}).get("barmanObjectName")
                if store is not None and ("ObjectStore", store) not in index:
                    problems.append(f"{name_of(obj)}: ObjectStore {store} is not rendered")
        elif kind == "TrafficPolicy":
            for ref in spec.get("targetRefs", []):
                if (ref["kind"], ref["name"]) not in index:
                    problems.append(f"{name_of(obj)}: targets missing {ref['kind']}/{ref['name']}")
    return problems


# ---------------------------------------------------------------- linters


def run_tool(args: Sequence[str | Path], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )


def hadolint(*dockerfiles: Path) -> subprocess.CompletedProcess[str]:
    return run_tool([VENV_BIN / "hadolint", "--failure-threshold", "warning", *dockerfiles])


def compose_config(compose_file: Path) -> subprocess.CompletedProcess[str]:
    return run_tool(
        [VENV_BIN / "docker-compose", "-f", compose_file, "config", "--quiet"],
        cwd=compose_file.parent,
    )


def compose_schema(compose_file: Path) -> subprocess.CompletedProcess[str]:
    return run_tool(
        [VENV_BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", compose_file]
    )


CHECKOV_FRAMEWORKS = ("kubernetes", "kustomize", "dockerfile", "github_actions")


def checkov_start(directories: Sequence[Path], report: Path) -> subprocess.Popen[bytes]:
    """Start checkov (it takes a while); the JSON report lands in `report`."""
    args: list[str] = [str(CHECKOV), "--framework", *CHECKOV_FRAMEWORKS, "--skip-download"]
    for directory in directories:
        args += ["-d", str(directory)]
    args += ["-o", "json", "--output-file-path", str(report)]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@dataclass
class Rendered:
    """Every combination's objects, and the directory they were written to."""

    objects: dict[str, list[Obj]]
    directory: Path  # one <combo id>/all.yaml per combination


@dataclass
class CheckovReport:
    frameworks: set[str]  # the frameworks that found something to scan
    failures: list[dict[str, Any]]  # failed checks, each with its "framework"


def checkov_report(report_dir: Path) -> CheckovReport:
    """Read a checkov JSON report (one entry per framework)."""
    data = json.loads((report_dir / "results_json.json").read_text())
    reports = data if isinstance(data, list) else [data]
    frameworks, failed = set(), []
    for report in reports:
        if "check_type" not in report:
            continue  # the summary checkov writes when nothing at all was scanned
        frameworks.add(report["check_type"])
        for check in report.get("results", {}).get("failed_checks", []):
            failed.append({"framework": report["check_type"], **check})
    return CheckovReport(frameworks, failed)


@dataclass
class CheckovRun:
    process: subprocess.Popen[bytes]
    report_dir: Path
    _report: CheckovReport | None = None

    def report(self) -> CheckovReport:
        """Wait for checkov (once) and read its report."""
        if self._report is None:
            _, stderr = self.process.communicate(timeout=600)
            if not (self.report_dir / "results_json.json").exists():
                raise AssertionError(f"checkov wrote no report:\n{stderr.decode()[-3000:]}")
            self._report = checkov_report(self.report_dir)
        return self._report


@dataclass
class CheckovRuns:
    real: CheckovRun
    broken: CheckovRun
