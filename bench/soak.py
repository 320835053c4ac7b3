"""Soak benchmark: simulated people using the planner through the ui for a while.

Starts `travel-agent` (offline planner and gazetteer; SQLite in a temporary folder, or a
temporary PostgreSQL database on 127.0.0.1:5432 with --postgres) and `travel-ui` as
processes on free ports of 127.0.0.1, both with their default settings (rate limit
included) and LOG_LEVEL=info. Then each simulated person, with a cookie jar of its own and
its own client address (X-Forwarded-For, which the ui trusts from 127.0.0.1, as from a
proxy), repeats with a think time between steps:

    open the page -> plan a trip (chat stream) -> approve it, all or some places (resume
    stream) -> edit a place -> reload (the page, then /api/state)

and every fourth round starts a new conversation. Every answer is checked (status, the
stream's last event, the approved places and the edit present after reload); anything
else is an error. It reports requests and errors, latency p50/p95/p99 per step, and the
RSS of each process at start (ready, before any load), after the warm-up (first 30 s),
and at the end.

    .venv/bin/python bench/soak.py [--users 50] [--duration 300] [--postgres]

Targets (issue 6): zero errors, p95 of a page request (GET /) under 100 ms, RSS growth
under 10% over the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from testsupport.pg import temp_database
from testsupport.processes import ServiceProcess, clean_env
from testsupport.sse import sse_events

CITIES = [
    "Rome",
    "Paris",
    "Kyoto",
    "Lisbon",
    "Barcelona",
    "Istanbul",
    "Prague",
    "Vienna",
    "London",
    "Berlin",
    "Amsterdam",
    "Madrid",
]
STEPS = ("page", "plan", "approve", "edit", "reload_page", "reload_state", "new_conversation")
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
WARM_UP_SECONDS = 30.0


# ---------------------------------------------------------------- the services


@contextmanager
def stack(
    workdir: Path, database_url: str | None = None
) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    """The agent and the ui on their defaults (offline providers, no keys)."""
    agent_env = clean_env(
        LLM_PROVIDER="offline", PLACES_PROVIDER="offline", DATA_DIR=str(workdir / "agent-data")
    )
    if database_url:
        agent_env["DATABASE_URL"] = database_url
    agent = ServiceProcess(
        "travel-agent", {**agent_env, "LOG_LEVEL": "info"}, workdir, "travel-agent"
    )
    try:
        agent.start("/readyz")
        ui_env = clean_env(
            REMOTE_ACTION_URL=f"{agent.url}/copilotkit", UI_SECRET_KEY="soak-signing-key"
        )
        ui = ServiceProcess("travel-ui", {**ui_env, "LOG_LEVEL": "info"}, workdir, "travel-ui")
        try:
            yield agent, ui.start("/healthz")
        finally:
            ui.stop()
    finally:
        agent.stop()


# ---------------------------------------------------------------- the people


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)  # the first few errors, for the report

    def error(self, step: str, what: str) -> None:
        self.errors[step] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{step}: {what}"[:300])

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


class StepFailed(Exception):
    pass


class Person:
    def __init__(
        self, index: int, ui_url: str, results: Results, think: tuple[float, float], seed: int
    ) -> None:
        self.results = results
        self.think_range = think
        self.rng = random.Random(seed * 1000 + index)
        address = f"10.{77 + index // 65536}.{index // 256 % 256}.{index % 256}"
        self.http = httpx.AsyncClient(
            base_url=ui_url, timeout=60, headers={"X-Forwarded-For": address}
        )
        self.csrf = ""

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think_range))

    async def request(self, step: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.results.latencies[step].append(time.perf_counter() - started)
            self.results.error(step, repr(exc))
            raise StepFailed from exc
        self.results.latencies[step].append(time.perf_counter() - started)
        return response

    def check(self, step: str, ok: bool, what: str) -> None:
        if not ok:
            self.results.error(step, what)
            raise StepFailed

    async def page(self, step: str) -> None:
        response = await self.request(step, "GET", "/")
        found = CSRF.search(response.text) if response.status_code == 200 else None
        self.check(step, found is not None, f"{response.status_code} {response.text[:200]}")
        assert found is not None
        self.csrf = found.group(1)

    async def stream(self, step: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.request(
            step, "POST", path, json=body, headers={"X-CSRF-Token": self.csrf}
        )
        self.check(step, response.status_code == 200, f"{response.status_code} {response.text}")
        events = sse_events(response.text)
        last = events[-1] if events else {}
        self.check(step, last.get("type") == "RUN_FINISHED", json.dumps(last)[:300])
        return last

    async def round(self) -> None:
        # (The offline gazetteer knows sights in each of these cities; with interests it
        # would honestly find nothing for some pairs, such as churches in Kyoto.)
        plan = f"Plan a {self.rng.randint(1, 5)}-day trip to {self.rng.choice(CITIES)}"
        last = await self.stream("plan", "/api/chat", {"message": plan})
        interrupts = (last.get("outcome") or {}).get("interrupts") or []
        self.check("plan", bool(interrupts), f"no approval asked: {json.dumps(last)[:300]}")
        interrupt = interrupts[0]
        after = interrupt["metadata"]["langgraph"]["raw"]["changes"][0]["after"]
        proposed = [p["id"] for p in after["places"]]
        await self.think()

        answer: dict[str, Any] = {"interrupt_id": interrupt["id"], "approved": True}
        chosen = proposed
        if len(proposed) > 1 and self.rng.random() < 0.5:
            chosen = sorted(self.rng.sample(proposed, self.rng.randint(1, len(proposed) - 1)))
            answer["place_ids"] = chosen
        last = await self.stream("approve", "/api/resume", answer)
        self.check("approve", not last.get("outcome"), json.dumps(last)[:300])
        await self.think()

        note = f"soak note {uuid.uuid4().hex[:8]}"
        response = await self.request(
            "edit",
            "PATCH",
            f"/api/trips/{after['id']}/places/{chosen[0]}",
            json={"description": note},
            headers={"X-CSRF-Token": self.csrf},
        )
        self.check(
            "edit",
            response.status_code == 200 and response.json().get("description") == note,
            f"{response.status_code} {response.text[:200]}",
        )
        await self.think()

        await self.page("reload_page")
        response = await self.request("reload_state", "GET", "/api/state")
        self.check("reload_state", response.status_code == 200, response.text[:200])
        trip = next((t for t in response.json()["trips"] if t["id"] == after["id"]), None)
        self.check("reload_state", trip is not None, f"trip {after['id']} is missing")
        assert trip is not None
        places = trip["places"]
        self.check(
            "reload_state",
            sorted(p["id"] for p in places) == sorted(chosen)
            and any(p.get("description") == note for p in places),
            f"trip {after['id']} is not as approved and edited: {json.dumps(places)[:200]}",
        )

    async def new_conversation(self) -> None:
        response = await self.request(
            "new_conversation",
            "POST",
            "/api/new-conversation",
            json={},
            headers={"X-CSRF-Token": self.csrf},
        )
        ok = response.status_code == 200 and "csrf_token" in response.json()
        self.check("new_conversation", ok, f"{response.status_code} {response.text[:200]}")
        self.csrf = response.json()["csrf_token"]

    async def live(self, until: float, ramp: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, ramp))
        rounds = 0
        try:
            while time.monotonic() < until:
                try:
                    if rounds and rounds % 4 == 0:
                        await self.new_conversation()
                        await self.think()
                    await self.page("page")
                    await self.think()
                    await self.round()
                except StepFailed:
                    await self.page("page")  # start again from a fresh page
                rounds += 1
                await self.think()
        except StepFailed:
            pass
        finally:
            await self.http.aclose()


async def load(
    ui_url: str,
    *,
    users: int,
    duration: float,
    think: tuple[float, float],
    seed: int = 7,
    on_warm: Any = None,
) -> Results:
    results = Results()
    until = time.monotonic() + duration
    people = [Person(i, ui_url, results, think, seed) for i in range(users)]
    tasks = [asyncio.create_task(p.live(until, ramp=min(5.0, duration / 4))) for p in people]
    if on_warm is not None:
        await asyncio.sleep(min(WARM_UP_SECONDS, duration / 2))
        on_warm()
    await asyncio.gather(*tasks)
    return results


# ---------------------------------------------------------------- the report


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def report(results: Results, rss: dict[str, list[float]], wall: float, title: str) -> str:
    lines = [
        f"### {title}",
        "",
        f"{results.requests} requests in {wall:.0f} s ({results.requests / wall:.1f}/s), "
        f"{sum(results.errors.values())} errors",
        "",
        "| step | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for step in STEPS:
        values = [v * 1000 for v in results.latencies.get(step, [])]
        if not values:
            continue
        lines.append(
            f"| {step} | {len(values)} | {results.errors.get(step, 0)} | "
            f"{statistics.median(values):.1f} | {percentile(values, 95):.1f} | "
            f"{percentile(values, 99):.1f} | {max(values):.1f} |"
        )
    page = [v * 1000 for s in ("page", "reload_page") for v in results.latencies.get(s, [])]
    if page:
        lines += [
            "",
            f"Page requests (GET /, both steps): p50 {statistics.median(page):.1f} ms, "
            f"p95 {percentile(page, 95):.1f} ms, p99 {percentile(page, 99):.1f} ms",
        ]
    lines += ["", "| process | RSS at start | after warm-up | at end | growth start→end |"]
    lines.append("| --- | --- | --- | --- | --- |")
    for name, (first, warm, last) in rss.items():
        lines.append(
            f"| {name} | {first:.1f} MiB | {warm:.1f} MiB | {last:.1f} MiB | "
            f"{(last - first) / first * 100:+.1f}% (after warm-up: "
            f"{(last - warm) / warm * 100:+.1f}%) |"
        )
    if results.samples:
        lines += ["", "First errors:", *[f"- {s}" for s in results.samples]]
    return "\n".join(lines)


def soak(
    *,
    users: int,
    duration: float,
    postgres: bool,
    think: tuple[float, float],
    workdir: Path,
) -> tuple[Results, dict[str, list[float]], float]:
    """Runs the whole soak; returns the results, RSS (start, warm, end) per process, wall."""

    def run(database_url: str | None) -> tuple[Results, dict[str, list[float]], float]:
        with stack(workdir, database_url) as (agent, ui):
            rss = {s.name: [s.rss_mib()] for s in (agent, ui)}

            def warm() -> None:
                for s in (agent, ui):
                    rss[s.name].append(s.rss_mib())

            started = time.monotonic()
            results = asyncio.run(
                load(ui.url, users=users, duration=duration, think=think, on_warm=warm)
            )
            wall = time.monotonic() - started
            for s in (agent, ui):
                rss[s.name].append(s.rss_mib())
                if not s.alive():
                    results.error("process", f"{s.name} exited with {s.stop()}")
        return results, rss, wall

    if postgres:
        with temp_database("travel_soak") as url:
            return run(url)
    return run(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300, help="seconds")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL, not SQLite")
    parser.add_argument("--think-min", type=float, default=1.0, help="seconds between steps")
    parser.add_argument("--think-max", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="travel-soak-") as tmp:
        results, rss, wall = soak(
            users=args.users,
            duration=args.duration,
            postgres=args.postgres,
            think=(args.think_min, args.think_max),
            workdir=Path(tmp),
        )
        storage = "PostgreSQL" if args.postgres else "SQLite (embedded defaults)"
        title = f"{args.users} people, {args.duration:.0f} s, {storage}"
        print(report(results, rss, wall, title))
        for name in ("travel-agent", "travel-ui"):
            log = (Path(tmp) / f"{name}.log").read_text()
            errors = [line for line in log.splitlines() if '"level": "error"' in line]
            print(f"\n{name} log: {len(log.splitlines())} lines, {len(errors)} at level error")
            for line in errors[:5]:
                print("  " + line[:300])
    sys.exit(1 if sum(results.errors.values()) else 0)


if __name__ == "__main__":
    main()
