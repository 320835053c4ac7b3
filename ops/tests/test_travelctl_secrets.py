"""`travelctl secrets`: the Secret reaches kubectl through pipes only, and no value leaks."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import yaml
from ops_testkit import (
    Cli,
    FakeKubectl,
)

NS = "app-travelexample"
VALUES = {
    "OPENAI_API_KEY": "sk-test-4f1c9b2e7a-openai",
    "GOOGLE_MAPS_API_KEY": "AIzaTest-9d8c7b6a-maps",
    "DATABASE_URL": "postgresql://travel:pw-5e6f7a8b@db.internal:5432/travel",
    "AGENT_API_TOKEN": "agent-token-1a2b3c4d5e",
}
CREATE = [
    "create",
    "secret",
    "generic",
    "travel-secrets",
    "--namespace",
    NS,
    "--from-env-file=/dev/stdin",
    "--dry-run=client",
    "-o",
    "yaml",
]


def write_env(workdir: Path, values: dict[str, str]) -> None:
    lines = ["# local settings", "LOG_LEVEL=debug", *(f'{k}="{v}"' for k, v in values.items())]
    (workdir / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")


def standard_rules(kubectl: FakeKubectl) -> None:
    kubectl.on("get", "namespace", NS, stdout=f"namespace/{NS}\n")
    kubectl.on("create", "secret", "generic", delegate=True)
    kubectl.on("create", "secret", "docker-registry", delegate=True)
    kubectl.on("apply", "-f", "-", stdout="secret/travel-secrets configured\n")


def files_holding(root: Path, value: str, skip: set[Path]) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path not in skip and value.encode() in path.read_bytes():
            found.append(path)
    return found


def assert_no_leak(tmp_path: Path, kubectl: FakeKubectl, output: str, allowed: set[Path]) -> None:
    """No value (nor its base64) in any argv, in the CLI's output, or in a file outside the
    recorder's own log and the .env it was read from."""
    recorder = kubectl.folder
    for value in VALUES.values():
        b64 = base64.b64encode(value.encode()).decode()
        for form in (value, b64):
            assert form not in output
            assert all(form not in " ".join(argv) for argv in kubectl.argvs())
            written = files_holding(tmp_path, form, allowed)
            assert [p for p in written if recorder not in p.parents] == []


def test_secret_is_built_from_env_file_through_pipes(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, tmp_path: Path, real_kubectl: str
) -> None:
    write_env(workdir, VALUES)
    standard_rules(kubectl)

    result = cli("secrets")

    assert result.returncode == 0, result.stderr
    calls = kubectl.calls()
    assert [c.argv for c in calls] == [
        ["get", "namespace", NS, "-o", "name"],
        CREATE,
        ["apply", "-f", "-"],
    ]
    # The values went to `kubectl create` on stdin, one KEY=value line each…
    assert sorted(calls[1].stdin.splitlines()) == sorted(f"{k}={v}" for k, v in VALUES.items())
    # …and `kubectl apply` got the Secret the real kubectl rendered from them.
    secret = yaml.safe_load(calls[2].stdin)
    assert secret["kind"] == "Secret"
    assert secret["metadata"] == {
        "name": "travel-secrets",
        "namespace": NS,
        "creationTimestamp": None,
    }
    decoded = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert decoded == VALUES
    assert "secret/travel-secrets configured" in result.stdout
    assert "OPENAI_API_KEY, GOOGLE_MAPS_API_KEY, DATABASE_URL, AGENT_API_TOKEN" in result.stdout
    assert_no_leak(tmp_path, kubectl, result.stdout + result.stderr, {workdir / ".env"})


def test_context_is_passed_to_cluster_calls_only(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, real_kubectl: str
) -> None:
    write_env(workdir, VALUES)
    standard_rules(kubectl)

    result = cli("secrets", "--context", "prod-east", "--namespace", NS)

    assert result.returncode == 0, result.stderr
    assert kubectl.argvs() == [
        ["--context", "prod-east", "get", "namespace", NS, "-o", "name"],
        CREATE,  # rendered client-side: works whatever the context
        ["--context", "prod-east", "apply", "-f", "-"],
    ]


def test_environment_wins_and_missing_keys_warn_offline_mode(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, real_kubectl: str
) -> None:
    # No .env at all (as in CI): values come from the environment; empty ones count as unset.
    standard_rules(kubectl)

    result = cli(
        "secrets", env={"OPENAI_API_KEY": VALUES["OPENAI_API_KEY"], "GOOGLE_MAPS_API_KEY": ""}
    )

    assert result.returncode == 0, result.stderr
    create = kubectl.calls()[1]
    assert create.stdin == f"OPENAI_API_KEY={VALUES['OPENAI_API_KEY']}\n"
    assert "GOOGLE_MAPS_API_KEY is not set" in result.stdout
    assert "offline gazetteer" in result.stdout
    assert "holds OPENAI_API_KEY from the environment (.env does not exist)" in result.stdout
    assert VALUES["OPENAI_API_KEY"] not in result.stdout + result.stderr


def test_missing_namespace_is_created_first(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, real_kubectl: str
) -> None:
    write_env(workdir, VALUES)
    kubectl.on(
        "get",
        "namespace",
        NS,
        rc=1,
        stderr=f'Error from server (NotFound): namespaces "{NS}" not found\n',
    )
    kubectl.on("create", "namespace", NS, stdout=f"namespace/{NS} created\n")
    standard_rules(kubectl)

    result = cli("secrets")

    assert result.returncode == 0, result.stderr
    assert [a[:2] for a in kubectl.argvs()] == [
        ["get", "namespace"],
        ["create", "namespace"],
        ["create", "secret"],
        ["apply", "-f"],
    ]
    assert f"namespace {NS} created" in result.stdout


def test_failure_message_is_redacted(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, tmp_path: Path, real_kubectl: str
) -> None:
    write_env(workdir, VALUES)
    kubectl.on("get", "namespace", NS, stdout=f"namespace/{NS}\n")
    kubectl.on("create", "secret", "generic", delegate=True)
    # A server error that quotes the object back must not carry a value to the terminal.
    b64 = base64.b64encode(VALUES["OPENAI_API_KEY"].encode()).decode()
    kubectl.on(
        "apply", "-f", "-", rc=1, stderr=f"error: admission webhook denied OPENAI_API_KEY={b64}\n"
    )

    result = cli("secrets")

    assert result.returncode == 1
    assert "error: `kubectl apply -f -` failed (exit 1)" in result.stderr
    assert "OPENAI_API_KEY=***" in result.stderr
    assert_no_leak(tmp_path, kubectl, result.stdout + result.stderr, {workdir / ".env"})


def test_value_with_line_break_is_refused_without_showing_it(
    cli: Cli, kubectl: FakeKubectl, workdir: Path
) -> None:
    (workdir / ".env").write_text('AGENT_API_TOKEN="first\\nsecond-part"\n', encoding="utf-8")

    result = cli("secrets")

    assert result.returncode == 1
    assert "AGENT_API_TOKEN holds a line break" in result.stderr
    assert "second-part" not in result.stdout + result.stderr
    assert kubectl.calls() == []


def test_without_kubectl_says_how_to_get_it(cli: Cli, workdir: Path, tmp_path: Path) -> None:
    write_env(workdir, VALUES)
    empty = tmp_path / "empty-bin"
    empty.mkdir()

    result = cli("secrets", env={"PATH": str(empty)})

    assert result.returncode == 1
    assert "kubectl is not on PATH" in result.stderr


def test_pull_secret_for_private_images(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, tmp_path: Path, real_kubectl: str
) -> None:
    token = "ghp_test0123456789abcdef"
    write_env(workdir, {**VALUES, "GHCR_USERNAME": "acme-bot", "GHCR_TOKEN": token})
    standard_rules(kubectl)

    result = cli("secrets")

    assert result.returncode == 0, result.stderr
    calls = kubectl.calls()
    assert [c.argv for c in calls[3:]] == [
        [
            "create",
            "secret",
            "docker-registry",
            "ghcr-secret",
            "--namespace",
            NS,
            "--from-file=.dockerconfigjson=/dev/stdin",
            "--dry-run=client",
            "-o",
            "yaml",
        ],
        ["apply", "-f", "-"],
    ]
    secret = yaml.safe_load(calls[4].stdin)
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    config = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))
    auth = config["auths"]["ghcr.io"]
    assert base64.b64decode(auth["auth"]).decode() == f"acme-bot:{token}"
    assert token not in result.stdout + result.stderr
    assert all(token not in " ".join(argv) for argv in kubectl.argvs())
    # The registry credentials are not app settings: they stay out of travel-secrets.
    assert "GHCR" not in calls[1].stdin


def test_pull_secret_is_left_alone_without_credentials(
    cli: Cli, kubectl: FakeKubectl, workdir: Path, real_kubectl: str
) -> None:
    write_env(workdir, VALUES)
    standard_rules(kubectl)

    result = cli("secrets")

    assert result.returncode == 0, result.stderr
    assert not any("docker-registry" in argv for argv in kubectl.argvs())
    assert "ghcr-secret not changed" in result.stdout


def test_half_the_registry_credentials_is_an_error(
    cli: Cli, kubectl: FakeKubectl, workdir: Path
) -> None:
    write_env(workdir, {**VALUES, "GHCR_USERNAME": "acme-bot"})

    result = cli("secrets")

    assert result.returncode == 1
    assert "Set both GHCR_USERNAME and GHCR_TOKEN, or neither." in result.stderr
    assert kubectl.calls() == []


def test_nothing_set_leaves_the_secret_alone(cli: Cli, kubectl: FakeKubectl, workdir: Path) -> None:
    # Applying an empty Secret would delete the keys an earlier `travelctl secrets` set.
    (workdir / ".env").write_text("OPENAI_API_KEY=\nLOG_LEVEL=info\n", encoding="utf-8")

    result = cli("secrets")

    assert result.returncode == 0, result.stderr
    assert kubectl.calls() == []
    assert "travel-secrets left as it is" in result.stdout
