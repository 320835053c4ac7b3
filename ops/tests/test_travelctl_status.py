"""`travelctl status`: pods, services, route and gateway address; logs of failing pods."""

from __future__ import annotations

import json
from typing import Any

from ops_testkit import (
    NAMESPACE,
    Cli,
    FakeKubectl,
)

NS = NAMESPACE


def pod(name: str, ready: bool, restarts: int = 0, waiting: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"running": {}} if waiting is None else {"waiting": {"reason": waiting}}
    return {
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "agent"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": "agent", "ready": ready, "restartCount": restarts, "state": state}
            ],
        },
    }


ROUTE = {
    "items": [
        {
            "metadata": {"name": "travel-frontend-route"},
            "spec": {
                "hostnames": ["travel.example.com"],
                "parentRefs": [{"name": "default-gateway", "namespace": "default"}],
            },
            "status": {
                "parents": [
                    {"conditions": [{"type": "Accepted", "status": "True", "message": "ok"}]}
                ]
            },
        }
    ]
}
GATEWAY = {"status": {"addresses": [{"type": "IPAddress", "value": "203.0.113.10"}]}}


def cluster(kubectl: FakeKubectl, pods: list[dict[str, Any]], routes: bool = True) -> None:
    kubectl.on("config", "current-context", stdout="prod-east\n")
    kubectl.on("get", "pods", stdout=json.dumps({"items": pods}))
    kubectl.on(
        "get",
        "services",
        stdout="NAME                      TYPE        PORT(S)\n"
        "travel-frontend-service   ClusterIP   3000/TCP\n",
    )
    if routes:
        kubectl.on("get", "httproutes", stdout=json.dumps(ROUTE))
        kubectl.on(
            "get",
            "gateway",
            "default-gateway",
            "--namespace",
            "default",
            stdout=json.dumps(GATEWAY),
        )
    else:
        kubectl.on(
            "get",
            "httproutes",
            rc=1,
            stderr='error: the server doesn\'t have a resource type "httproutes"\n',
        )


def test_healthy_namespace(cli: Cli, kubectl: FakeKubectl) -> None:
    cluster(kubectl, [pod("travel-backend-1", True), pod("travel-frontend-1", True)])

    result = cli("status")

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Context: prod-east" in out
    assert "travel-backend-1  Running  ready 1/1  restarts 0" in out
    assert "travel-frontend-service" in out
    assert "httproute/travel-frontend-route  hosts travel.example.com" in out
    assert "gateway default/default-gateway address 203.0.113.10" in out
    assert "Accepted=True" in out
    assert not any("logs" in argv for argv in kubectl.argvs())
    assert ["get", "pods", "--namespace", NS, "-o", "json"] in kubectl.argvs()


def test_failing_pod_shows_its_previous_logs_and_fails(cli: Cli, kubectl: FakeKubectl) -> None:
    cluster(
        kubectl,
        [pod("travel-backend-1", False, 4, "CrashLoopBackOff"), pod("travel-frontend-1", True)],
    )
    kubectl.on(
        "logs",
        "travel-backend-1",
        stdout='{"level": "error", "msg": "DATABASE_URL: connection refused"}\n',
    )

    result = cli("status")

    assert result.returncode == 1
    assert (
        "travel-backend-1  Running  ready 0/1  restarts 4 — agent: CrashLoopBackOff"
        in result.stdout
    )
    assert [
        "logs",
        "travel-backend-1",
        "--namespace",
        NS,
        "--all-containers",
        "--tail=40",
        "--previous",
    ] in kubectl.argvs()
    assert "DATABASE_URL: connection refused" in result.stdout
    assert "some pods are failing" in result.stderr


def test_cluster_without_gateway_api(cli: Cli, kubectl: FakeKubectl) -> None:
    cluster(kubectl, [pod("travel-backend-1", True)], routes=False)

    result = cli("status", "--namespace", NS)

    assert result.returncode == 0, result.stderr
    assert "the cluster has no Gateway API CRDs" in result.stdout


def test_unreachable_cluster_is_a_clear_failure(cli: Cli, kubectl: FakeKubectl) -> None:
    kubectl.on("config", "current-context", stdout="prod-east\n")
    kubectl.on(
        "get", "pods", rc=1, stderr="Unable to connect to the server: dial tcp: i/o timeout\n"
    )

    result = cli("status")

    assert result.returncode == 1
    assert "Unable to connect to the server" in result.stderr
