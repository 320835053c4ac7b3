"""The travelctl tests' fixtures (`kubectl`, `workdir`, `cli`, `real_kubectl`), defined in
`ops_testkit` with the helpers they use and found by pytest here."""

from __future__ import annotations

from ops_testkit import cli_fixture, kubectl_fixture, real_kubectl_fixture, workdir_fixture

__all__ = ["cli_fixture", "kubectl_fixture", "real_kubectl_fixture", "workdir_fixture"]
