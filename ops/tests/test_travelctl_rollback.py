"""`travelctl rollback`: back to the revisions the last deploy replaced, then wait."""

from __future__ import annotations

import json
from pathlib import Path

from ops_testkit import (
    NAMESPACE,
    Cli,
    FakeKubectl,
    deployment_json,
)

NS = NAMESPACE


def get(name: str) -> list[str]:
    return ["get", "deployment", name, "--namespace", NS, "-o", "json"]


def undo(name: str, *extra: str) -> list[str]:
    return ["rollout", "undo", f"deployment/{name}", "--namespace", NS, *extra]


def waits(timeout: int = 300) -> list[list[str]]:
    return [
        ["rollout", "status", f"deployment/{name}", "--namespace", NS, f"--timeout={timeout}s"]
        for name in ("travel-backend", "travel-frontend")
    ]


def test_returns_to_the_revisions_the_last_deploy_replaced(cli: Cli, kubectl: FakeKubectl) -> None:
    kubectl.on(*get("travel-backend"), stdout=deployment_json("travel-backend", "5", "4"))
    kubectl.on(*get("travel-frontend"), stdout=deployment_json("travel-frontend", "8", "7"))
    kubectl.on("rollout", "undo", stdout="deployment.apps/x rolled back\n")
    kubectl.on("rollout", "status", stdout="successfully rolled out\n")

    result = cli("rollback", "--timeout", "120")

    assert result.returncode == 0, result.stderr
    assert kubectl.argvs() == [
        get("travel-backend"),
        undo("travel-backend", "--to-revision=4"),
        get("travel-frontend"),
        undo("travel-frontend", "--to-revision=7"),
        *waits(120),
    ]
    assert "rollback done" in result.stdout


def test_leaves_alone_a_deployment_the_last_deploy_did_not_change(
    cli: Cli, kubectl: FakeKubectl
) -> None:
    # A deploy that changed nothing records its own revision: undoing it would go one
    # release too far back.
    kubectl.on(*get("travel-backend"), stdout=deployment_json("travel-backend", "5", "5"))
    kubectl.on(*get("travel-frontend"), stdout=deployment_json("travel-frontend", "8", "7"))
    kubectl.on("rollout", "undo", stdout="deployment.apps/travel-frontend rolled back\n")
    kubectl.on("rollout", "status", stdout="successfully rolled out\n")

    result = cli("rollback")

    assert result.returncode == 0, result.stderr
    undos = [argv for argv in kubectl.argvs() if argv[:2] == ["rollout", "undo"]]
    assert undos == [undo("travel-frontend", "--to-revision=7")]
    assert "deployment/travel-backend already runs revision 5" in result.stdout


def test_without_a_record_it_undoes_the_last_rollout(cli: Cli, kubectl: FakeKubectl) -> None:
    kubectl.on("get", "deployment", stdout=deployment_json("travel-backend", "3"))
    kubectl.on("rollout", "undo", stdout="rolled back\n")
    kubectl.on("rollout", "status", stdout="successfully rolled out\n")

    result = cli("rollback")

    assert result.returncode == 0, result.stderr
    undos = [argv for argv in kubectl.argvs() if argv[:2] == ["rollout", "undo"]]
    assert undos == [undo("travel-backend"), undo("travel-frontend")]


def test_explicit_revision_for_both(cli: Cli, kubectl: FakeKubectl) -> None:
    kubectl.on("rollout", "undo", stdout="rolled back\n")
    kubectl.on("rollout", "status", stdout="successfully rolled out\n")

    result = cli("rollback", "--revision", "3", "--context", "prod-east")

    assert result.returncode == 0, result.stderr
    ctx = ["--context", "prod-east"]
    assert kubectl.argvs() == [
        [*ctx, *undo("travel-backend", "--to-revision=3")],
        [*ctx, *undo("travel-frontend", "--to-revision=3")],
        *[[*ctx, *argv] for argv in waits()],
    ]


def test_missing_deployment_is_a_clear_failure(cli: Cli, kubectl: FakeKubectl) -> None:
    kubectl.on(
        "get",
        "deployment",
        rc=1,
        stderr='Error from server (NotFound): deployments.apps "travel-backend" not found\n',
    )

    result = cli("rollback")

    assert result.returncode == 1
    assert (
        "deployment/travel-backend does not exist in namespace app-travelexample" in result.stderr
    )


def test_unknown_revision_fails_with_kubectl_words(cli: Cli, kubectl: FakeKubectl) -> None:
    kubectl.on(
        "rollout", "undo", rc=1, stderr="error: unable to find specified revision 99 in history\n"
    )

    result = cli("rollback", "--revision", "99")

    assert result.returncode == 1
    assert "unable to find specified revision 99" in result.stderr


def write_record(path: Path, backend: str | None, frontend: str | None) -> Path:
    revisions = {"travel-backend": backend, "travel-frontend": frontend}
    path.write_text(json.dumps({"namespace": NS, "revisions": revisions}))
    return path


def test_recorded_undoes_only_what_the_deploy_changed(
    cli: Cli, kubectl: FakeKubectl, tmp_path: Path
) -> None:
    # The deploy moved the agent from 4 to 5; the ui was never changed (its apply failed).
    record = write_record(tmp_path / "rev.json", "4", "7")
    kubectl.on(*get("travel-backend"), stdout=deployment_json("travel-backend", "5", "4"))
    kubectl.on(*get("travel-frontend"), stdout=deployment_json("travel-frontend", "7", "6"))
    kubectl.on("rollout", "undo", stdout="deployment.apps/travel-backend rolled back\n")
    kubectl.on("rollout", "status", stdout="successfully rolled out\n")

    result = cli("rollback", "--recorded", str(record))

    assert result.returncode == 0, result.stderr
    assert kubectl.argvs() == [
        get("travel-backend"),
        undo("travel-backend", "--to-revision=4"),
        get("travel-frontend"),
        *waits(),
    ]
    assert "deployment/travel-frontend is still at revision 7" in result.stdout


def test_recorded_without_a_record_does_nothing(
    cli: Cli, kubectl: FakeKubectl, tmp_path: Path
) -> None:
    result = cli("rollback", "--recorded", str(tmp_path / "missing.json"))

    assert result.returncode == 0, result.stderr
    assert "the deploy applied nothing to undo" in result.stdout
    assert kubectl.calls() == []


def test_recorded_for_another_namespace_is_refused(
    cli: Cli, kubectl: FakeKubectl, tmp_path: Path
) -> None:
    record = write_record(tmp_path / "rev.json", "4", "7")

    result = cli("rollback", "--recorded", str(record), "--namespace", "staging")

    assert result.returncode == 1
    assert "records namespace app-travelexample, not staging" in result.stderr
    assert kubectl.calls() == []
