"""`travelctl status`: pods, services, the route and its gateway address, logs of failing pods."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from travelctl import console
from travelctl.kubectl import Kubectl, KubectlError

LOG_LINES = 40
# Waiting reasons that mean a pod will not become ready on its own.
_BAD_WAITING = {
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "InvalidImageName",
    "RunContainerError",
}


@dataclass(frozen=True)
class PodState:
    name: str
    phase: str
    ready: str
    restarts: int
    problem: str | None

    @property
    def failing(self) -> bool:
        return self.problem is not None


def pod_state(pod: dict[str, Any]) -> PodState:
    name = pod["metadata"]["name"]
    status = pod.get("status") or {}
    phase = status.get("phase", "Unknown")
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for s in statuses if s.get("ready"))
    total = len((pod.get("spec") or {}).get("containers") or statuses)
    restarts = sum(int(s.get("restartCount", 0)) for s in statuses)
    problem = None
    for s in (status.get("initContainerStatuses") or []) + statuses:
        waiting = (s.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in _BAD_WAITING:
            problem = f"{s.get('name')}: {waiting['reason']}"
            break
        terminated = (s.get("state") or {}).get("terminated") or {}
        if terminated and terminated.get("exitCode", 0) != 0:
            problem = f"{s.get('name')}: exited {terminated.get('exitCode')}"
            break
    if problem is None and phase in ("Failed", "Unknown"):
        problem = f"pod phase {phase}"
    if problem is None and phase == "Pending":
        for condition in status.get("conditions") or []:
            if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
                problem = f"unschedulable: {condition.get('message', '')}".strip()
    return PodState(name, phase, f"{ready}/{total}", restarts, problem)


def _get_json(kubectl: Kubectl, *args: str) -> dict[str, Any] | None:
    """`kubectl get … -o json`, or None when that kind of object does not exist there."""
    result = kubectl.run("get", *args, "-o", "json", check=False)
    if not result.ok:
        if (
            "the server doesn't have a resource type" in result.stderr
            or "NotFound" in result.stderr
        ):
            return None
        raise KubectlError("kubectl get " + " ".join(args), result)
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def show_pods(kubectl: Kubectl, namespace: str) -> list[PodState]:
    pods = (_get_json(kubectl, "pods", "--namespace", namespace) or {}).get("items", [])
    console.info(f"Pods in {namespace}:")
    if not pods:
        console.status("warn", "no pods")
    states = [pod_state(pod) for pod in pods]
    for state in states:
        word = "fail" if state.failing else ("ok" if state.phase == "Running" else "warn")
        extra = f" — {state.problem}" if state.problem else ""
        console.status(
            word,
            f"{state.name}  {state.phase}  ready {state.ready}  restarts {state.restarts}{extra}",
        )
    return states


def show_services(kubectl: Kubectl, namespace: str) -> None:
    console.info(f"Services in {namespace}:")
    result = kubectl.run("get", "services", "--namespace", namespace)
    console.info(result.stdout.rstrip() or "  (none)")


def show_routes(kubectl: Kubectl, namespace: str) -> None:
    routes = _get_json(kubectl, "httproutes", "--namespace", namespace)
    if routes is None:
        console.status("skip", "HTTPRoute: the cluster has no Gateway API CRDs")
        return
    if not routes.get("items"):
        console.status("warn", f"no HTTPRoute in {namespace} (the dev overlay has none)")
    for route in routes.get("items", []):
        name = route["metadata"]["name"]
        hosts = ", ".join(route.get("spec", {}).get("hostnames") or ["*"])
        console.status("ok", f"httproute/{name}  hosts {hosts}")
        for parent in route.get("spec", {}).get("parentRefs") or []:
            show_gateway(kubectl, parent.get("name", ""), parent.get("namespace") or namespace)
        for parent_status in (route.get("status") or {}).get("parents") or []:
            for condition in parent_status.get("conditions") or []:
                if condition.get("type") in ("Accepted", "ResolvedRefs"):
                    word = "ok" if condition.get("status") == "True" else "fail"
                    console.status(
                        word,
                        f"  {condition['type']}={condition.get('status')}"
                        f" {condition.get('message', '')}".rstrip(),
                    )


def show_gateway(kubectl: Kubectl, name: str, namespace: str) -> None:
    gateway = _get_json(kubectl, "gateway", name, "--namespace", namespace)
    if gateway is None:
        console.status("fail", f"  gateway {namespace}/{name} not found")
        return
    addresses = [a.get("value", "") for a in (gateway.get("status") or {}).get("addresses") or []]
    if addresses:
        console.status("ok", f"  gateway {namespace}/{name} address {', '.join(addresses)}")
    else:
        console.status("warn", f"  gateway {namespace}/{name} has no address yet")


def show_logs(kubectl: Kubectl, namespace: str, pod: PodState) -> None:
    console.info(f"Last {LOG_LINES} log lines of {pod.name}:")
    args = ["logs", pod.name, "--namespace", namespace, "--all-containers", f"--tail={LOG_LINES}"]
    if pod.restarts:
        args.append("--previous")  # the crashed run explains the restart, not the new one
    result = kubectl.run(*args, check=False)
    text = (result.stdout if result.ok else result.stderr).rstrip()
    console.info("\n".join(f"  {line}" for line in text.splitlines()) or "  (no output)")


def status(kubectl: Kubectl, namespace: str) -> bool:
    """Print the namespace's state; True when no pod is failing."""
    console.info(f"Context: {kubectl.current_context()}")
    states = show_pods(kubectl, namespace)
    show_services(kubectl, namespace)
    show_routes(kubectl, namespace)
    failing = [s for s in states if s.failing]
    for state in failing:
        show_logs(kubectl, namespace, state)
    return not failing
