"""docs/deploy.md and .env.example stay true to the files they describe."""

from __future__ import annotations

import re

from tests.delivery.delivery_checks import K8S, ROOT

DOC = (ROOT / "docs" / "deploy.md").read_text()


def test_every_path_the_guide_names_exists() -> None:
    paths = set(re.findall(r"`((?:deploy|docs|scripts|tests)/[\w./-]+?)`", DOC))
    paths |= {f"deploy/k8s/{p}" for p in re.findall(r"`((?:overlays|components)/[\w-]+)`", DOC)}
    assert paths, "the guide names files"
    missing = sorted(p for p in paths if not (ROOT / p).exists() and "/mine" not in p)
    assert missing == []


def test_the_guide_covers_every_overlay_and_component() -> None:
    for kind in ("overlays", "components"):
        for directory in sorted((K8S / kind).iterdir()):
            if kind == "components" and directory.name == "gateway":
                continue  # part of prod and ha, not an option
            assert f"{kind}/{directory.name}" in DOC, directory.name


def test_compose_variables_are_documented_with_defaults() -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    example = (ROOT / ".env.example").read_text()
    used = dict(re.findall(r"\$\{(\w+):-([^}]*)\}", compose))
    assert used
    for name, default in used.items():
        assert re.search(rf"^{name}={re.escape(default)}$", example, flags=re.M), name
