"""The optional `tiles` compose profile (self-hosted street tiles, docs/operations.md "Map
tiles"): valid, off unless asked for, and wired the way its docs tell people to use it.
No Docker engine runs here, so the container itself is never started."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.delivery.delivery_checks import ROOT, VENV_BIN, run_tool
from travel_ui.settings import Settings

COMPOSE = ROOT / "docker-compose.yml"
#: The raster tiles TileServer GL renders from a vector MBTiles file with its bundled style.
TILE_PATH = "/styles/basic-preview/{z}/{x}/{y}.png"


def services(*profile: str) -> dict[str, Any]:
    args: list[str | Path] = [VENV_BIN / "docker-compose", "-f", COMPOSE, *profile, "config"]
    args += ["--format", "json"]
    result = run_tool(args, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)["services"]
    return found


def documented_tile_urls() -> list[str]:
    """Every TILE_URL the compose file's comment and the operations guide tell people to set."""
    texts = COMPOSE.read_text() + (ROOT / "docs" / "operations.md").read_text()
    return re.findall(r"TILE_URL=(http://\S+?\.png)", texts)


def test_the_tiles_profile_is_off_by_default_and_valid_when_asked_for() -> None:
    assert "tiles" not in services()
    tiles = services("--profile", "tiles")["tiles"]
    image = tiles["image"]
    assert image.startswith("docker.io/maptiler/tileserver-gl:v") and not image.endswith(":latest")
    # The MBTiles file it serves is inside its read-only volume.
    (volume,) = tiles["volumes"]
    assert volume["read_only"] is True and volume["source"] == str(ROOT / "tiles")
    command = tiles["command"]
    served = command[command.index("--file") + 1]
    assert served.startswith(volume["target"] + "/")
    # Published on loopback by default, on the port it listens on.
    (port,) = tiles["ports"]
    assert port["host_ip"] == "127.0.0.1"
    assert str(port["target"]) == command[command.index("--port") + 1]


def test_the_documented_tile_url_points_at_the_profile_and_passes_the_csp() -> None:
    tiles = services("--profile", "tiles")["tiles"]
    (port,) = tiles["ports"]
    urls = documented_tile_urls()
    assert len(urls) >= 2, "the compose comment and the operations guide both give it"
    for url in urls:
        assert url == f"http://127.0.0.1:{port['published']}{TILE_PATH}"
        settings = Settings(_env_file=None, ui_secret_key="x", tile_url=url)
        assert settings.tile_origin == f"http://127.0.0.1:{port['published']}"


def test_the_tiles_service_is_hardened_like_the_others() -> None:
    """Same settings as the agent and the ui (the `x-hardening` anchor). The image runs as
    `node` and its entrypoint starts Xvfb, which writes its lock file under /tmp."""
    found = services("--profile", "tiles")
    tiles = found["tiles"]
    for key in ("read_only", "cap_drop", "security_opt", "tmpfs", "restart"):
        assert tiles.get(key) == found["ui"][key], key
    assert tiles["read_only"] is True and tiles["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in tiles["security_opt"]
    assert "/tmp" in tiles["tmpfs"]
    assert tiles["user"] == "node:node"
