"""Benchmark: agent turns on the embedded defaults (offline planner, gazetteer, SQLite).

Starts `travel-agent` as a process and measures, for a "plan a trip to <city>" turn that
searches and ends in an approval interrupt plus the resume run that applies it: latency
p50/p95 per run at concurrency 1 and 20, runs per second at concurrency 20, time from
process start to /readyz 200, and the process RSS after 1,000 threads.

    .venv/bin/python bench/agent_turn.py [--threads 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from testsupport.ports import free_port
from testsupport.processes import rss_mib

CITIES = ["Rome", "Paris", "Kyoto", "Lisbon", "Barcelona", "Istanbul", "Prague", "Vienna"]


async def run(http: httpx.AsyncClient, body: dict) -> tuple[float, dict]:
    start = time.perf_counter()
    last: dict = {}
    async with http.stream("POST", "/copilotkit", json=body) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if line.startswith("data:"):
                last = json.loads(line[5:])
    return time.perf_counter() - start, last


async def plan_and_resume(http: httpx.AsyncClient, i: int) -> tuple[float, float]:
    thread = f"bench-{uuid.uuid4().hex}"
    plan = {
        "threadId": thread,
        "runId": f"r-{i}-a",
        "messages": [
            {"id": f"m-{i}", "role": "user", "content": f"Plan a trip to {CITIES[i % 8]}"}
        ],
    }
    t_plan, finished = await run(http, plan)
    assert finished["type"] == "RUN_FINISHED", finished
    interrupt = finished["outcome"]["interrupts"][0]["id"]
    resume = {
        "threadId": thread,
        "runId": f"r-{i}-b",
        "messages": [],
        "resume": [{"interruptId": interrupt, "status": "resolved", "payload": {"approved": True}}],
    }
    t_resume, finished = await run(http, resume)
    assert finished["type"] == "RUN_FINISHED", finished
    return t_plan, t_resume


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


async def measure(url: str, n: int, concurrency: int) -> dict[str, float]:
    sem = asyncio.Semaphore(concurrency)
    plans: list[float] = []
    resumes: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:

        async def one(i: int) -> None:
            async with sem:
                a, b = await plan_and_resume(http, i)
                plans.append(a)
                resumes.append(b)

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - start
    return {
        "plan_p50_ms": pct(plans, 50),
        "plan_p95_ms": pct(plans, 95),
        "resume_p50_ms": pct(resumes, 50),
        "resume_p95_ms": pct(resumes, 95),
        "runs_per_s": 2 * n / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1000, help="threads for the RSS figure")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "PORT": str(port),
            "DATA_DIR": data,
            "LLM_PROVIDER": "offline",
            "PLACES_PROVIDER": "offline",
            "LOG_LEVEL": "warning",
        }
        exe = str(Path(sys.executable).parent / "travel-agent")
        start = time.perf_counter()
        proc = subprocess.Popen([exe], env=env, stdout=subprocess.DEVNULL)
        try:
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.02)
            ready_s = time.perf_counter() - start
            print(f"start to /readyz 200: {ready_s:.2f} s  (RSS {rss_mib(proc.pid):.0f} MiB)")
            asyncio.run(measure(url, 20, 1))  # warm-up
            for c, n in ((1, 200), (20, 400)):
                r = asyncio.run(measure(url, n, c))
                print(
                    f"concurrency {c:>2}: plan p50 {r['plan_p50_ms']:.1f} ms p95 "
                    f"{r['plan_p95_ms']:.1f} ms | resume p50 {r['resume_p50_ms']:.1f} ms p95 "
                    f"{r['resume_p95_ms']:.1f} ms | {r['runs_per_s']:.1f} runs/s"
                )
            done = 20 + 200 + 400
            if args.threads > done:
                asyncio.run(measure(url, args.threads - done, 20))
            print(f"RSS after {max(args.threads, done)} threads: {rss_mib(proc.pid):.0f} MiB")
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
