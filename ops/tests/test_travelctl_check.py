"""`travelctl check`: one line per prerequisite; only real failures fail."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_registry import registry_app
from ops_testkit import (
    NAMESPACE,
    Cli,
    FakeKubectl,
    overlay_images,
    placeholder_pins,
    serve,
    write_k8s_tree,
)

NS = NAMESPACE
KEYS = 'OPENAI_API_KEY="sk-check-1234"\nGOOGLE_MAPS_API_KEY="maps-check-5678"\n'


def healthy_cluster(kubectl: FakeKubectl) -> None:
    version = {"clientVersion": {"gitVersion": "v1.33.1"}}
    kubectl.on("version", "--client", stdout=json.dumps(version))
    kubectl.on("config", "current-context", stdout="prod-east\n")
    kubectl.on("get", "namespace", NS, stdout=f"namespace/{NS}\n")
    kubectl.on("kustomize", delegate=True)


def prod_checked(workdir: Path, kubectl: FakeKubectl, pins: str, *, keys: bool = True) -> None:
    """A prod overlay pinned to `pins`, the API keys in .env (unless not `keys`), a healthy
    cluster."""
    write_k8s_tree(workdir, {"prod": pins})
    if keys:
        (workdir / ".env").write_text(KEYS, encoding="utf-8")
    healthy_cluster(kubectl)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def registry() -> Iterator[str]:
    manifests = {"acme/coagents-travel-backend:abc123", "acme/coagents-travel-frontend:abc123"}
    with serve(registry_app(manifests)) as url:
        yield url.removeprefix("http://")


def test_all_good(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, registry: str, real_kubectl: str
) -> None:
    prod_checked(workdir, kubectl, overlay_images("acme", "abc123", host=registry))

    result = cli("check")

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "kubectl v1.33.1" in out
    assert "context prod-east" in out
    assert f"cluster reachable, namespace {NS} exists" in out
    assert "OPENAI_API_KEY is set (value not shown)" in out
    assert f"{registry}/acme/coagents-travel-backend:abc123 exists" in out
    assert f"{registry}/acme/coagents-travel-frontend:abc123 exists" in out
    assert "sk-check-1234" not in out and "maps-check-5678" not in out
    assert ["get", "namespace", NS, "-o", "name", "--request-timeout=10s"] in kubectl.argvs()


def test_missing_image_fails(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, registry: str, real_kubectl: str
) -> None:
    prod_checked(workdir, kubectl, overlay_images("acme", "abc123", host=registry))

    result = cli("check", "--tag", "0000000")

    assert result.returncode == 1
    assert f"{registry}/acme/coagents-travel-backend:0000000 does not exist" in result.stdout
    assert "some checks failed" in result.stderr


def test_missing_keys_warn_offline_mode_and_unreachable_registry_is_skipped(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, real_kubectl: str
) -> None:
    host = f"127.0.0.1:{closed_port()}"
    prod_checked(workdir, kubectl, overlay_images("acme", "abc123", host=host), keys=False)

    result = cli("check")

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert ".env not found" in out
    assert "OPENAI_API_KEY is not set: offline mode" in out
    assert "GOOGLE_MAPS_API_KEY is not set: offline mode" in out
    assert f"images not checked: {host} unreachable" in out


def test_placeholder_images_are_skipped_with_a_note(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, real_kubectl: str
) -> None:
    prod_checked(workdir, kubectl, placeholder_pins())

    result = cli("check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "coagents-travel-backend:0000000000000000000000000000000000000000@sha256:000"
        in result.stdout
    )
    assert "a placeholder; pass --tag <commit SHA> to check that build" in result.stdout


def test_no_context_and_unreachable_cluster_fail(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, real_kubectl: str
) -> None:
    kubectl.on("version", "--client", stdout="{}")
    kubectl.on("config", "current-context", rc=1, stderr="error: current-context is not set\n")
    kubectl.on("kustomize", delegate=True)

    no_context = cli("check")

    assert no_context.returncode == 1
    assert "kubectl has no current context" in no_context.stdout

    kubectl.on(
        "get",
        "namespace",
        rc=1,
        stderr="Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout\n",
    )
    unreachable = cli("check", "--context", "gone")

    assert unreachable.returncode == 1
    assert "cannot reach the cluster of context gone: Unable to connect" in unreachable.stdout


def test_without_kubectl(cli: Cli, workdir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()

    result = cli("check", env={"PATH": str(empty)})

    assert result.returncode == 1
    assert "kubectl is not on PATH" in result.stdout
