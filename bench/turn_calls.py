"""Benchmark: Python function calls and CPU per agent run, in one process.

The app (`create_app`, real SQLite under a temporary DATA_DIR, or PostgreSQL) is driven
over `httpx.ASGITransport`, with no sockets, no other process and no concurrency, so the
figures hardly move with the machine's load: call counts not at all, CPU per run little.
A run is what `agent_turn.py` counts: offline, "Plan a trip to <city>" and its approval
are two runs; with `--llm`, one "Plan a trip" turn against `scripted_upstreams.py`.

    .venv/bin/python bench/turn_calls.py [--llm] [--database-url URL] [--runs 40]
        [--warmup 10] [--top 30] [--pstats out.pstats]

Prints CPU ms per run without the profiler (`time.process_time` over the runs; the
in-process client's share is included), then function calls per run under cProfile and
the functions with the most own time. For an A/B, run it from two checkouts (each one's
`*/src` first on PYTHONPATH) one after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import pstats
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

import httpx
from agent_turn import CITIES, llm_settings, upstreams

from testsupport.pg import temp_database
from travel_agent.app import create_app
from travel_agent.settings import Settings


@asynccontextmanager
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://agent") as http:
            yield http


async def one_run(http: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    last: dict[str, Any] = {}
    async with http.stream("POST", "/copilotkit", json=body) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if line.startswith("data:"):
                last = json.loads(line[5:])
    assert last.get("type") == "RUN_FINISHED", last
    return last


async def turn(http: httpx.AsyncClient, i: int, resume: bool) -> int:
    """One turn; the number of runs it made."""
    thread = f"calls-{uuid.uuid4().hex}"
    plan = {
        "threadId": thread,
        "runId": f"r-{i}-a",
        "messages": [
            {"id": f"m-{i}", "role": "user", "content": f"Plan a trip to {CITIES[i % 8]}"}
        ],
    }
    finished = await one_run(http, plan)
    if not resume:
        return 1
    interrupt = finished["outcome"]["interrupts"][0]["id"]
    approve = {
        "threadId": thread,
        "runId": f"r-{i}-b",
        "messages": [],
        "resume": [{"interruptId": interrupt, "status": "resolved", "payload": {"approved": True}}],
    }
    await one_run(http, approve)
    return 2


async def measure(settings: Settings, args: argparse.Namespace) -> None:
    resume = not args.llm
    async with client(settings) as http:
        for i in range(args.warmup):
            await turn(http, i, resume)
        turns = max(1, args.runs // (2 if resume else 1))
        runs = 0
        cpu0 = time.process_time()
        for i in range(turns):
            runs += await turn(http, i, resume)
        cpu = time.process_time() - cpu0
        print(f"CPU per run, no profiler: {cpu * 1000 / runs:.2f} ms ({runs} runs)")
        profile = cProfile.Profile()
        runs = 0
        profile.enable()
        for i in range(turns):
            runs += await turn(http, i, resume)
        profile.disable()
    stats = pstats.Stats(profile)
    calls = sum(v[1] for v in stats.stats.values())  # type: ignore[attr-defined]
    print(f"function calls per run under cProfile: {calls / runs:,.0f} ({runs} runs)")
    if args.pstats:
        stats.dump_stats(str(args.pstats))
    stats.sort_stats("tottime").print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", action="store_true", help="OpenAI + Google against scripts")
    parser.add_argument("--database-url", help="admin URL of a PostgreSQL server to use")
    parser.add_argument("--runs", type=int, default=40, help="measured runs (each pass)")
    parser.add_argument("--warmup", type=int, default=10, help="turns before measuring")
    parser.add_argument("--top", type=int, default=30, help="functions listed by own time")
    parser.add_argument("--pstats", type=Path, help="write the cProfile stats here")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the app's request logs are not what is measured
    with (
        tempfile.TemporaryDirectory() as data,
        _upstream(args.llm) as upstream,
        _database(args.database_url) as db_url,
    ):
        asyncio.run(measure(settings_for(Path(data), upstream, db_url), args))


def settings_for(data: Path, upstream: str | None, db_url: str | None) -> Settings:
    """The app's settings: offline, or OpenAI + Google against `upstream`; SQLite under
    `data`, or `db_url`."""
    values: dict[str, Any] = {
        "data_dir": data,
        "llm_provider": "offline",
        "places_provider": "offline",
        "log_level": "warning",
    }
    if db_url:
        values["database_url"] = db_url
    if upstream:
        values.update(llm_settings(upstream))
    return Settings(_env_file=None, **values)


def _upstream(llm: bool) -> AbstractContextManager[str | None]:
    return upstreams() if llm else nullcontext()


def _database(url: str | None) -> AbstractContextManager[str | None]:
    return temp_database("travel_calls", url) if url else nullcontext()


if __name__ == "__main__":
    main()
