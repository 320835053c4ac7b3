"""GitOps pieces that run outside this machine, tested here as far as they can be: the guard
that stops an old run from rolling production back (on a real git history), the kind job's
shape and its script (shellcheck), and the Dependabot configuration (its JSON schema)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GUARD = ROOT / ".github" / "scripts" / "newer-than-deployed"
SCRIPTS = sorted((ROOT / ".github" / "scripts").iterdir())
BIN = Path(sys.executable).parent


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def history(tmp_path: Path) -> dict[str, str]:
    """main: one -> two -> three; a side branch off one."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")
    shas = {}
    for name in ("one", "two", "three"):
        (repo / "f").write_text(name)
        git(repo, "add", "f")
        git(repo, "commit", "-qm", name)
        shas[name] = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "side", shas["one"])
    (repo / "g").write_text("side")
    git(repo, "add", "g")
    git(repo, "commit", "-qm", "side")
    shas["side"] = git(repo, "rev-parse", "HEAD")
    shas["repo"] = str(repo)
    return shas


def guard(history: dict[str, str], deployed: str, new: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GUARD), deployed, new], cwd=history["repo"], capture_output=True, text=True
    )


def test_guard_lets_a_newer_or_the_same_commit_go(history: dict[str, str]) -> None:
    assert guard(history, history["one"], history["three"]).returncode == 0
    assert guard(history, history["two"], history["two"]).returncode == 0
    image = f"ghcr.io/o/coagents-travel-backend:{history['two']}@sha256:{'a' * 64}"
    assert guard(history, image, history["three"]).returncode == 0


def test_guard_lets_the_first_deploy_go(history: dict[str, str]) -> None:
    assert guard(history, "", history["one"]).returncode == 0
    placeholder = f"ghcr.io/o/x:{'0' * 40}@sha256:{'0' * 64}"
    assert guard(history, placeholder, history["one"]).returncode == 0


def test_guard_refuses_an_older_run_finishing_late(history: dict[str, str]) -> None:
    result = guard(history, history["three"], history["two"])
    assert result.returncode == 1
    assert f"Refusing to deploy {history['two']}: it is not newer than the deployed" in (
        result.stderr
    )


def test_guard_refuses_another_line_of_history_and_unknown_commits(
    history: dict[str, str],
) -> None:
    assert guard(history, history["two"], history["side"]).returncode == 1
    unknown = guard(history, "f" * 40, history["three"])
    assert unknown.returncode == 1
    assert "is not in this repository's history" in unknown.stderr


def test_scripts_pass_shellcheck() -> None:
    result = subprocess.run(
        [str(BIN / "shellcheck"), *map(str, SCRIPTS)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_shellcheck_fails_on_a_broken_script(tmp_path: Path) -> None:
    broken = tmp_path / "kind-smoke"
    text = (ROOT / ".github" / "scripts" / "kind-smoke").read_text()
    broken.write_text(text.replace('kubectl apply -k "$k8s/overlays/dev"', "kubectl apply -k $1"))
    result = subprocess.run([str(BIN / "shellcheck"), str(broken)], capture_output=True, text=True)
    assert result.returncode != 0 and "SC2086" in result.stdout


def kind_job_problems(ci: dict[str, object]) -> list[str]:
    job = (ci.get("jobs") or {}).get("kind")  # type: ignore[attr-defined]
    if not isinstance(job, dict):
        return ["ci.yml has no kind job"]
    text = yaml.safe_dump(job)
    needed = {
        "creates a kind cluster": "helm/kind-action@",
        "loads both images": "kind load docker-image --name travel coagents-travel-agent:local"
        " coagents-travel-ui:local",
        "installs the Gateway API CRDs": "gateway-api/releases/download/",
        "applies dev, waits and smoke-tests": ".github/scripts/kind-smoke",
    }
    return [what for what, marker in needed.items() if marker not in text]


def test_ci_has_a_kind_job_that_smoke_tests_the_dev_overlay() -> None:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert kind_job_problems(ci) == []
    script = (ROOT / ".github" / "scripts" / "kind-smoke").read_text()
    for step in ("overlays/dev", "rollout status", "port-forward", "travelctl smoke"):
        assert step in script


def test_kind_job_check_fails_without_the_images() -> None:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = ci["jobs"]["kind"]["steps"]
    ci["jobs"]["kind"]["steps"] = [s for s in steps if "kind load" not in str(s.get("run"))]
    assert kind_job_problems(ci) == ["loads both images"]


DEPENDABOT = ROOT / ".github" / "dependabot.yml"


def dependabot_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(path)],
        capture_output=True,
        text=True,
    )


def test_dependabot_covers_actions_images_python_and_npm() -> None:
    assert dependabot_schema(DEPENDABOT).returncode == 0
    updates = yaml.safe_load(DEPENDABOT.read_text())["updates"]
    ecosystems = {u["package-ecosystem"]: u for u in updates}
    assert set(ecosystems) == {"github-actions", "docker", "uv", "npm"}
    assert ecosystems["docker"]["directory"] == "/"  # the one Dockerfile, at the root
    assert (ROOT / "Dockerfile").exists()
    assert (ROOT / ecosystems["npm"]["directory"].lstrip("/") / "package-lock.json").exists()


def test_dependabot_schema_fails_on_a_broken_copy(tmp_path: Path) -> None:
    broken = tmp_path / "dependabot.yml"
    broken.write_text(DEPENDABOT.read_text().replace("interval: weekly", "interval: sometimes", 1))
    assert dependabot_schema(broken).returncode != 0
