"""Fixtures: a work folder with the kubectl stand-in first on PATH, and the CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_testkit import REAL_KUBECTL, Cli, FakeKubectl, cli_env, install_standin


@pytest.fixture
def kubectl(tmp_path: Path) -> FakeKubectl:
    fake, _ = install_standin(tmp_path)
    return fake


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def cli(tmp_path: Path, kubectl: FakeKubectl, workdir: Path) -> Cli:
    return Cli(workdir, cli_env(tmp_path, tmp_path / "bin", kubectl.folder))


@pytest.fixture
def real_kubectl() -> str:
    """The real kubectl, which renders kustomize and dry-run Secrets offline for the stand-in."""
    if REAL_KUBECTL is None:
        pytest.fail("kubectl (with kustomize) must be installed for the travelctl tests")
    return REAL_KUBECTL
