"""Session fixtures for the delivery checks: every overlay/component combination rendered
once, and checkov started early (it is the slow one) on the real files and on a broken
copy, so it runs while the other checks do."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
import yaml

from tests.delivery.delivery_checks import (
    CHECKOV,
    GATEWAY_VALIDATOR,
    K8S,
    ROOT,
    CheckovRun,
    CheckovRuns,
    Obj,
    Rendered,
    checkov_start,
    combinations,
    kustomize,
    render,
)

COMBOS = combinations()


def container_of(objects: list[Obj], deployment: str) -> Obj:
    for obj in objects:
        if obj["kind"] == "Deployment" and obj["metadata"]["name"] == deployment:
            return cast(Obj, obj["spec"]["template"]["spec"]["containers"][0])
    raise AssertionError(f"no Deployment {deployment}")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    work = tmp_path_factory.mktemp("kustomizations")
    out = tmp_path_factory.mktemp("rendered")
    objects = {}
    for combo in COMBOS:
        objects[combo.id] = render(combo, work / combo.id)
        (out / combo.id).mkdir()
        (out / combo.id / "all.yaml").write_text(yaml.safe_dump_all(objects[combo.id]))
    return Rendered(objects, out)


def _broken_tree(base: Path) -> Path:
    """One breakage per checkov framework: kustomize (prod overlay drops the ui's security
    context), kubernetes (a Deployment without one), dockerfile (:latest, root, no
    HEALTHCHECK), github_actions (write-all token)."""
    broken = base / "broken"
    shutil.copytree(K8S, broken / "deploy" / "k8s")
    prod = broken / "deploy" / "k8s" / "overlays" / "prod" / "kustomization.yaml"
    patch = (
        "  - target:\n"
        "      kind: Deployment\n"
        "      name: travel-frontend\n"
        "    patch: |-\n"
        "      - op: remove\n"
        "        path: /spec/template/spec/containers/0/securityContext\n"
    )
    prod.write_text(prod.read_text() + patch)
    render_check = kustomize(prod.parent)  # the breakage must render, or checkov skips it
    assert "securityContext" not in container_of(render_check, "travel-frontend")
    (broken / "rendered").mkdir()
    (broken / "rendered" / "deployment.yaml").write_text(
        textwrap.dedent("""\
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: careless
              namespace: app-travelexample
            spec:
              selector:
                matchLabels: {app: careless}
              template:
                metadata:
                  labels: {app: careless}
                spec:
                  containers:
                    - name: app
                      image: ghcr.io/example/careless:latest
            """)
    )
    (broken / "docker").mkdir()
    (broken / "docker" / "Dockerfile").write_text(
        'FROM python:latest\nCOPY . /app\nCMD ["python", "/app/main.py"]\n'
    )
    workflows = broken / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "careless.yml").write_text(
        textwrap.dedent("""\
            name: careless
            on: push
            permissions: write-all
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@v4
            """)
    )
    return broken


@pytest.fixture(scope="session")
def checkov_runs(
    rendered: Rendered, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CheckovRuns]:
    if not CHECKOV.exists():
        pytest.fail("checkov is not installed: run scripts/test-deps")
    base = tmp_path_factory.mktemp("checkov")
    # checkov scans directories (it ignores -f beside -d): the root Dockerfile in one of its own.
    image = base / "image"
    image.mkdir()
    shutil.copy(ROOT / "Dockerfile", image / "Dockerfile")
    real_dirs = [ROOT / "deploy", image, rendered.directory]
    if (ROOT / ".github" / "workflows").is_dir():
        real_dirs.append(ROOT / ".github")
    real = CheckovRun(
        checkov_start([d for d in real_dirs if d.exists()], base / "real"), base / "real"
    )
    broken = CheckovRun(checkov_start([_broken_tree(base)], base / "broken"), base / "broken")
    runs = CheckovRuns(real, broken)
    yield runs
    for run in (real, broken):
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


@pytest.fixture(scope="session", autouse=True)
def _start_checkov_early(checkov_runs: CheckovRuns) -> None:
    """Requesting the fixture starts checkov before the first delivery test runs."""


@pytest.fixture(scope="session")
def gateway_validator() -> Path:
    if not (GATEWAY_VALIDATOR.parent / "node_modules").is_dir():
        pytest.fail("the Gateway API validator is not installed: run scripts/test-deps")
    return GATEWAY_VALIDATOR
