"""`travelctl deploy`: renders the overlay (real kustomize), pins images, applies, waits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from ops_testkit import (
    DIGEST_AGENT,
    DIGEST_UI,
    NAMESPACE,
    Cli,
    FakeKubectl,
    deployment_json,
    overlay_images,
    placeholder_pins,
    write_k8s_tree,
)

NS = NAMESPACE
ROLLOUT_BACKEND = [
    "rollout",
    "status",
    "deployment/travel-backend",
    "--namespace",
    NS,
    "--timeout=300s",
]
ROLLOUT_FRONTEND = [
    "rollout",
    "status",
    "deployment/travel-frontend",
    "--namespace",
    NS,
    "--timeout=300s",
]


@pytest.fixture(autouse=True)
def k8s_tree(workdir: Path, real_kubectl: str) -> Path:
    return write_k8s_tree(
        workdir,
        {
            "prod": placeholder_pins(),
            "pinned": overlay_images("acme", "0123abc", DIGEST_AGENT, DIGEST_UI),
            "latest": overlay_images("acme", "latest"),
            "template": overlay_images("OWNER", "abc1234"),
        },
    )


def cluster_rules(kubectl: FakeKubectl, rollout_fails: bool = False) -> None:
    kubectl.on("kustomize", delegate=True)
    kubectl.on("config", "current-context", stdout="prod-east\n")
    kubectl.on("get", "deployment", "travel-backend", stdout=deployment_json("travel-backend", "4"))
    kubectl.on(
        "get", "deployment", "travel-frontend", stdout=deployment_json("travel-frontend", "7")
    )
    kubectl.on("apply", "-f", "-", stdout="deployment.apps/travel-backend configured\n")
    if rollout_fails:
        kubectl.on(
            *ROLLOUT_BACKEND,
            rc=1,
            stderr='error: deployment "travel-backend" exceeded its progress deadline\n',
        )
    kubectl.on("rollout", "status", stdout="successfully rolled out\n")


def applied(kubectl: FakeKubectl) -> list[dict[str, Any]]:
    [apply] = [c for c in kubectl.calls() if c.argv[-3:] == ["apply", "-f", "-"]]
    return [doc for doc in yaml.safe_load_all(apply.stdin) if doc]


def by_name(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [doc] = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def image_of(deployment: dict[str, Any], container: str) -> str:
    spec = deployment["spec"]["template"]["spec"]
    [found] = [c for c in spec["containers"] if c["name"] == container]
    return str(found["image"])


def test_deploy_pins_the_tag_applies_and_waits(cli: Cli, kubectl: FakeKubectl) -> None:
    cluster_rules(kubectl)

    result = cli("deploy", "--overlay", "prod", "--tag", "9f8e7d6", "--owner", "Acme", "--yes")

    assert result.returncode == 0, result.stderr
    assert kubectl.argvs() == [
        ["kustomize", "deploy/k8s/overlays/prod"],
        ["config", "current-context"],
        ["get", "deployment", "travel-backend", "--namespace", NS, "-o", "json"],
        ["get", "deployment", "travel-frontend", "--namespace", NS, "-o", "json"],
        ["apply", "-f", "-"],
        ROLLOUT_BACKEND,
        ROLLOUT_FRONTEND,
    ]
    docs = applied(kubectl)
    assert [d["kind"] for d in docs][:1] == ["Namespace"]
    backend = by_name(docs, "Deployment", "travel-backend")
    frontend = by_name(docs, "Deployment", "travel-frontend")
    assert image_of(backend, "travel-backend") == "ghcr.io/acme/coagents-travel-backend:9f8e7d6"
    assert image_of(frontend, "travel-frontend") == "ghcr.io/acme/coagents-travel-frontend:9f8e7d6"
    # Images that are not ours are left as the overlay has them.
    assert frontend["spec"]["template"]["spec"]["initContainers"][0]["image"] == (
        "docker.io/library/busybox:1.37.0"
    )
    # The revisions replaced are recorded for `travelctl rollback`.
    previous = "travelctl.coagents-travel/previous-revision"
    assert backend["metadata"]["annotations"][previous] == "4"
    assert frontend["metadata"]["annotations"][previous] == "7"
    assert "to context prod-east" in result.stdout
    assert "ghcr.io/acme/coagents-travel-frontend:9f8e7d6" in result.stdout
    assert "deployment/travel-frontend rolled out" in result.stdout


def test_tag_alone_keeps_the_overlays_owner(cli: Cli, kubectl: FakeKubectl) -> None:
    cluster_rules(kubectl)

    result = cli("deploy", "--overlay", "prod", "--tag", "9f8e7d6", "--yes")

    assert result.returncode == 0, result.stderr
    frontend = by_name(applied(kubectl), "Deployment", "travel-frontend")
    expected = "ghcr.io/smpnet74/coagents-travel-frontend:9f8e7d6"
    assert image_of(frontend, "travel-frontend") == expected


def test_digest_pinned_overlay_deploys_as_pinned(cli: Cli, kubectl: FakeKubectl) -> None:
    # What CD does: `kustomize edit set image …:SHA@sha256:…` on the overlay, then deploy.
    cluster_rules(kubectl)

    result = cli("deploy", "--overlay", "pinned", "--yes", "--context", "ci")

    assert result.returncode == 0, result.stderr
    backend = by_name(applied(kubectl), "Deployment", "travel-backend")
    expected = f"ghcr.io/acme/coagents-travel-backend:0123abc@{DIGEST_AGENT}"
    assert image_of(backend, "travel-backend") == expected
    assert kubectl.argvs()[0] == ["kustomize", "deploy/k8s/overlays/pinned"]  # no context needed
    assert all(argv[:2] == ["--context", "ci"] for argv in kubectl.argvs()[2:])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--overlay", "prod", "--tag", "latest", "--owner", "acme"], "Refusing --tag latest"),
        (["--overlay", "latest"], "Refusing to deploy ghcr.io/acme/coagents-travel-backend:latest"),
        (["--overlay", "prod"], "The overlay's images are placeholders"),
        (["--overlay", "template"], "ghcr.io/OWNER/coagents-travel-backend:abc1234"),
        (["--overlay", "staging"], "No kustomize overlay at deploy/k8s/overlays/staging"),
        (["--overlay", "pinned", "--namespace", "other"], "puts travel-backend in namespace"),
    ],
)
def test_refuses_what_would_not_deploy_cleanly(
    cli: Cli, kubectl: FakeKubectl, args: list[str], message: str
) -> None:
    cluster_rules(kubectl)

    result = cli("deploy", *args, "--yes")

    assert result.returncode == 1
    assert message in result.stderr
    assert not any(argv[:1] == ["apply"] for argv in kubectl.argvs())


def test_asks_before_applying_and_stops_on_no(cli: Cli, kubectl: FakeKubectl) -> None:
    cluster_rules(kubectl)

    answered_no = cli("deploy", "--overlay", "pinned", stdin="n\n")

    assert answered_no.returncode == 1
    assert "Apply it? [y/N]" in answered_no.stdout
    assert "Deploy cancelled; nothing was applied." in answered_no.stderr
    assert not any(argv[:1] == ["apply"] for argv in kubectl.argvs())

    answered_yes = cli("deploy", "--overlay", "pinned", stdin="y\n")

    assert answered_yes.returncode == 0, answered_yes.stderr
    assert any(argv[:1] == ["apply"] for argv in kubectl.argvs())


def test_no_answer_on_a_closed_stdin_means_no(cli: Cli, kubectl: FakeKubectl) -> None:
    cluster_rules(kubectl)

    result = cli("deploy", "--overlay", "pinned", stdin="")

    assert result.returncode == 1
    assert not any(argv[:1] == ["apply"] for argv in kubectl.argvs())


def test_failed_rollout_exits_non_zero_and_points_at_rollback(
    cli: Cli, kubectl: FakeKubectl
) -> None:
    cluster_rules(kubectl, rollout_fails=True)

    result = cli("deploy", "--overlay", "pinned", "--yes")

    assert result.returncode == 1
    assert "deployment/travel-backend did not roll out within 300 s" in result.stderr
    assert "exceeded its progress deadline" in result.stderr
    assert "travelctl rollback" in result.stderr
    assert ROLLOUT_FRONTEND not in kubectl.argvs()


def test_console_script_is_installed() -> None:
    import shutil
    import subprocess
    import sys

    script = Path(sys.executable).with_name("travelctl")
    assert script.exists() or shutil.which("travelctl")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for command in ("check", "secrets", "deploy", "status", "rollback", "smoke"):
        assert command in result.stdout


def test_record_holds_the_revisions_replaced(
    cli: Cli, kubectl: FakeKubectl, tmp_path: Path
) -> None:
    cluster_rules(kubectl, rollout_fails=True)
    record = tmp_path / "revisions.json"

    result = cli("deploy", "--overlay", "pinned", "--yes", "--record", str(record))

    assert result.returncode == 1  # the rollout failed, the record is there for rollback
    assert json.loads(record.read_text()) == {
        "namespace": NS,
        "revisions": {"travel-backend": "4", "travel-frontend": "7"},
    }


REPO_K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


@pytest.mark.parametrize("overlay", ["prod", "ha"])
def test_the_repositorys_overlays_deploy_by_tag_and_refuse_their_placeholders(
    cli: Cli, kubectl: FakeKubectl, overlay: str
) -> None:
    cluster_rules(kubectl)
    k8s = str(REPO_K8S)

    unpinned = cli("deploy", "--overlay", overlay, "--k8s-dir", k8s, "--yes")

    assert unpinned.returncode == 1
    assert "The overlay's images are placeholders" in unpinned.stderr

    sha = "0123456789abcdef0123456789abcdef01234567"
    pinned = cli("deploy", "--overlay", overlay, "--k8s-dir", k8s, "--tag", sha, "--yes")

    assert pinned.returncode == 0, pinned.stderr
    docs = applied(kubectl)
    for name in ("travel-backend", "travel-frontend"):
        spec = by_name(docs, "Deployment", name)["spec"]["template"]["spec"]
        assert all(c["image"].endswith(f":{sha}") for c in spec["containers"])
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "Namespace"] == [NS]
