"""Helpers and fixtures for the travelctl tests: the kubectl stand-in on PATH, running the CLI
as a real process, and serving a small ASGI app on a free 127.0.0.1 port.

The fixtures are defined here and found through this folder's conftest.py; test modules
import only the helpers they call.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp

STANDIN = Path(__file__).with_name("kubectl_standin.py")
REAL_KUBECTL = shutil.which("kubectl")
# Settings the CLI reads from the environment; the tests set them explicitly or not at all.
_SCRUBBED = (
    "OPENAI_API_KEY",
    "GOOGLE_MAPS_API_KEY",
    "DATABASE_URL",
    "AGENT_API_TOKEN",
    "UI_SECRET_KEY",
    "KUBECONFIG",
)


@dataclass(frozen=True)
class Call:
    argv: list[str]
    stdin: str


@dataclass
class FakeKubectl:
    """The recording stand-in: `on(...)` adds a canned answer, `calls()` reads what ran."""

    folder: Path
    rules: list[dict[str, Any]] = field(default_factory=list)

    def on(
        self,
        *args: str,
        stdout: str = "",
        stderr: str = "",
        rc: int = 0,
        once: bool = False,
        delegate: bool = False,
    ) -> None:
        self.rules.append(
            {
                "args": list(args),
                "stdout": stdout,
                "stderr": stderr,
                "rc": rc,
                "once": once,
                "delegate": delegate,
            }
        )
        (self.folder / "rules.json").write_text(json.dumps(self.rules), encoding="utf-8")

    def calls(self) -> list[Call]:
        log = self.folder / "calls.jsonl"
        if not log.exists():
            return []
        lines = log.read_text(encoding="utf-8").splitlines()
        return [Call(**json.loads(line)) for line in lines]

    def argvs(self) -> list[list[str]]:
        return [call.argv for call in self.calls()]


def install_standin(root: Path) -> tuple[FakeKubectl, Path]:
    """Write the stand-in as `kubectl` in root/bin; returns it and the bin folder."""
    folder = root / "kubectl-standin"
    folder.mkdir()
    bin_dir = root / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "kubectl"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STANDIN}" "$@"\n')
    launcher.chmod(0o755)
    (folder / "rules.json").write_text("[]", encoding="utf-8")
    return FakeKubectl(folder), bin_dir


@dataclass
class Cli:
    """Runs `python -m travelctl` in `cwd` with the stand-in first on PATH."""

    cwd: Path
    env: dict[str, str]

    def __call__(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "travelctl", *args],
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def cli_env(root: Path, bin_dir: Path, standin_folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    home = root / "home"
    tmp = root / "tmp"
    home.mkdir()
    tmp.mkdir()
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        TMPDIR=str(tmp),
        KUBECTL_STANDIN_DIR=str(standin_folder),
        KUBECTL_STANDIN_REAL=REAL_KUBECTL or "/nonexistent/kubectl",
        NO_COLOR="1",
        COLUMNS="200",
    )
    return env


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 and a port the OS picks; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):  # bounded wait for start-up (a readiness loop, not a timing check)
        if server.started or not thread.is_alive():
            break
        time.sleep(0.01)
    if not server.started:
        raise RuntimeError("the test server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


NAMESPACE = "app-travelexample"
DIGEST_AGENT = "sha256:" + "a1" * 32
DIGEST_UI = "sha256:" + "b2" * 32
ZERO_DIGEST = "sha256:" + "0" * 64
# Shaped like deploy/k8s: the original layout's image names, placeholders until CD pins them.
AGENT_IMAGE = "ghcr.io/smpnet74/coagents-travel-backend"
UI_IMAGE = "ghcr.io/smpnet74/coagents-travel-frontend"
_BASE = {
    "kustomization.yaml": f"""\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {NAMESPACE}
resources: [namespace.yaml, backend.yaml, frontend.yaml]
""",
    "namespace.yaml": f"""\
apiVersion: v1
kind: Namespace
metadata:
  name: {NAMESPACE}
  labels: {{istio.io/dataplane-mode: ambient}}
""",
    "backend.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: travel-backend}}
spec:
  selector: {{matchLabels: {{app: travel-backend}}}}
  template:
    metadata: {{labels: {{app: travel-backend}}}}
    spec:
      containers:
        - name: travel-backend
          image: {AGENT_IMAGE}:set-by-overlay@{ZERO_DIGEST}
          ports: [{{containerPort: 8000}}]
---
apiVersion: v1
kind: Service
metadata: {{name: travel-backend-service}}
spec:
  selector: {{app: travel-backend}}
  ports: [{{port: 8000}}]
""",
    "frontend.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: travel-frontend}}
spec:
  selector: {{matchLabels: {{app: travel-frontend}}}}
  template:
    metadata: {{labels: {{app: travel-frontend}}}}
    spec:
      initContainers:
        - name: wait
          image: docker.io/library/busybox:1.37.0
      containers:
        - name: travel-frontend
          image: {UI_IMAGE}:set-by-overlay@{ZERO_DIGEST}
""",
}


def overlay_images(
    owner: str,
    tag: str | None,
    agent_digest: str | None = None,
    ui_digest: str | None = None,
    host: str = "ghcr.io",
) -> str:
    """An `images:` list as `kustomize edit set image OLD=NEW:TAG@DIGEST` writes it."""
    lines = ["images:"]
    for old, digest in ((AGENT_IMAGE, agent_digest), (UI_IMAGE, ui_digest)):
        name = old.rsplit("/", 1)[1]
        lines += [f"- name: {old}", f"  newName: {host}/{owner}/{name}"]
        if tag:
            lines.append(f'  newTag: "{tag}"')
        if digest:
            lines.append(f"  digest: {digest}")
    return "\n".join(lines) + "\n"


def placeholder_pins() -> str:
    """What deploy/k8s/overlays/prod holds until CD first pins it."""
    entries = [
        f'- name: {image}\n  newTag: "{"0" * 40}"\n  digest: {ZERO_DIGEST}\n'
        for image in (AGENT_IMAGE, UI_IMAGE)
    ]
    return "images:\n" + "".join(entries)


def write_k8s_tree(root: Path, overlays: dict[str, str]) -> Path:
    """A small kustomize tree shaped like deploy/k8s (base + overlays/<name>)."""
    k8s = root / "deploy" / "k8s"
    (k8s / "base").mkdir(parents=True)
    for name, text in _BASE.items():
        (k8s / "base" / name).write_text(text, encoding="utf-8")
    for name, extra in overlays.items():
        folder = k8s / "overlays" / name
        folder.mkdir(parents=True)
        (folder / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"resources: [../../base]\n{extra}",
            encoding="utf-8",
        )
    return k8s


def deployment_json(name: str, revision: str | None, previous: str | None = None) -> str:
    annotations = {}
    if revision:
        annotations["deployment.kubernetes.io/revision"] = revision
    if previous:
        annotations["travelctl.coagents-travel/previous-revision"] = previous
    return json.dumps(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": NAMESPACE, "annotations": annotations},
        }
    )


@pytest.fixture(name="kubectl")
def kubectl_fixture(tmp_path: Path) -> FakeKubectl:
    fake, _ = install_standin(tmp_path)
    return fake


@pytest.fixture(name="workdir")
def workdir_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture(name="cli")
def cli_fixture(tmp_path: Path, kubectl: FakeKubectl, workdir: Path) -> Cli:
    return Cli(workdir, cli_env(tmp_path, tmp_path / "bin", kubectl.folder))


@pytest.fixture(name="real_kubectl")
def real_kubectl_fixture() -> str:
    """The real kubectl, which renders kustomize and dry-run Secrets offline for the stand-in."""
    if REAL_KUBECTL is None:
        pytest.fail("kubectl (with kustomize) must be installed for the travelctl tests")
    return REAL_KUBECTL
