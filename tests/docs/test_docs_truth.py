"""The docs say what the code does: every setting of both services is in `.env.example`
with its default (and nothing there is a setting no service has), every file the README's
code map names exists, and the uv version has one home that everything else matches."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from travel_agent.settings import Settings as AgentSettings
from travel_ui.settings import Settings as UiSettings

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
SECTION = re.compile(r"^# -{8,} (.+)$")


def sections() -> dict[str, dict[str, str]]:
    """`NAME=value` lines of .env.example by section ("agent service", "ui service", ...)."""
    found: dict[str, dict[str, str]] = {}
    current = ""
    for line in (ROOT / ".env.example").read_text().splitlines():
        if match := SECTION.match(line):
            current = match.group(1).strip()
        elif match := ASSIGNMENT.match(line):
            found.setdefault(current, {})[match.group(1)] = match.group(2)
    return found


def ui_defaults_for_shared_names() -> dict[str, str]:
    """The ui's own defaults of the names it shares with the agent, from the comment
    "The ui's defaults, for reference:   HOST=127.0.0.1  PORT=3000 ..."."""
    text = (ROOT / ".env.example").read_text()
    line = next(row for row in text.splitlines() if row.startswith("#   HOST="))
    return dict(pair.split("=", 1) for pair in line.lstrip("# ").split())


def defaults(settings: type[BaseSettings]) -> dict[str, Any]:
    instance = settings(_env_file=None)
    return {name.upper(): getattr(instance, name) for name in settings.model_fields}


def same(documented: str, default: Any) -> bool:
    if default is None:
        return documented == ""
    if isinstance(default, bool):
        return documented == str(default).lower()
    if isinstance(default, int | float):
        return float(documented) == default
    if isinstance(default, Path):
        return Path(documented) == default
    return documented == str(default)


@pytest.fixture(scope="module")
def env_example() -> dict[str, dict[str, str]]:
    return sections()


def test_every_agent_setting_is_documented_with_its_default(
    env_example: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_environment(monkeypatch)
    documented = env_example["agent service"]
    for name, default in defaults(AgentSettings).items():
        assert name in documented, f"{name} is not in .env.example"
        assert same(documented[name], default), f"{name}: {documented[name]!r} != {default!r}"


def test_every_ui_setting_is_documented_with_its_default(
    env_example: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_environment(monkeypatch)
    own, shared = env_example["ui service"], env_example["agent service"]
    comment = ui_defaults_for_shared_names()
    for name, default in defaults(UiSettings).items():
        if name in own:
            value = own[name]
        elif name in comment:
            value = comment[name]
        else:  # the names the ui shares with the agent (a token, the collector)
            assert name in shared, f"{name} is not in .env.example"
            value = shared[name]
        assert same(value, default), f"ui {name}: {value!r} != {default!r}"


def test_nothing_documented_is_a_setting_no_service_has(
    env_example: dict[str, dict[str, str]],
) -> None:
    fields = set(defaults(AgentSettings)) | set(defaults(UiSettings))
    for section in ("agent service", "ui service"):
        unknown = set(env_example[section]) - fields
        assert not unknown, f"{section}: {sorted(unknown)} are no service's settings"
    # The other sections are read by others: compose and the ops CLI must name them.
    compose = (ROOT / "docker-compose.yml").read_text()
    for name in env_example["docker compose"]:
        assert f"${{{name}" in compose, f"docker-compose.yml does not read {name}"
    ops = "".join(p.read_text() for p in (ROOT / "ops" / "src").rglob("*.py"))
    for name in env_example["ops CLI (travelctl)"]:
        assert name in ops, f"travelctl does not read {name}"


def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defaults are what a process gets with none of these variables set (and no .env)."""
    for settings in (AgentSettings, UiSettings):
        for name in settings.model_fields:
            monkeypatch.delenv(name.upper(), raising=False)


def test_every_file_the_code_map_names_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("| where | what |", readme.index("## Find your way around the agent"))
    table = readme[start : readme.index("\n\n", start)]
    base = ROOT / "agent" / "src" / "travel_agent"
    named = re.findall(r"`([a-z_/]+(?:\.py|/))`", table)
    assert "runtime.py" in named and "graph.py" in named and "trips_api.py" in named
    for name in named:
        # "places/measured.py" from the package; "offline.py" in the `places/` row, anywhere.
        there = (base / name).exists() or ("/" not in name and any(base.rglob(name)))
        assert there, f"the README's code map names {name}, which is not there"


def test_the_uv_version_has_one_home() -> None:
    pyproject: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())
    required = pyproject["tool"]["uv"]["required-version"]
    assert required.startswith("==")
    version = required[2:]
    assert f"uv=={version}" in pyproject["project"]["dependencies"]
    pinned = {
        path: re.findall(r"uv==([0-9.]+)", (ROOT / path).read_text())
        for path in ("Dockerfile", ".github/workflows/cd.yml")
    }
    for path, versions in pinned.items():
        assert versions and set(versions) == {version}, f"{path} pins uv {versions}"
    assert "required-version" in (ROOT / "scripts" / "bootstrap").read_text()
