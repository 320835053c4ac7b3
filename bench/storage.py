"""Benchmark: a long conversation's storage, latency and memory (issue 9 item 3).

Starts `travel-agent` as a process (offline planner and gazetteer, SQLite in a temporary
DATA_DIR or a temporary PostgreSQL database on 127.0.0.1:5432), then on one thread:

- N short turns ("List my trips"), each timed, with the thread's stored logical bytes
  after each (the sum of its rows' sizes, which WAL files and free pages would hide);
- then, on that long thread, the other requests a person or client makes: reading trips
  and history, a CopilotKit-style request replaying the whole history plus a new
  message, an "edited" earlier message (a rewind request), and a plan turn that ends in an
  approval, plus its approval.

For every request it samples the process's RSS from /proc every 5 ms and reports the
largest rise above the RSS before the request.

Targets: the last 20 turns add <= 30 KB per turn; turn 200's latency <= 1.5x turn 10's
(single turns are noisy on a shared machine, so the medians of turns 6-15 and of the last
10 are compared too, and the service's CPU time per turn, which other load disturbs less);
no request raises RSS by more than 50 MiB.

    .venv/bin/python bench/storage.py [--backend sqlite|postgres|both] [--turns 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import httpx
import psycopg
from psycopg.rows import dict_row

from testsupport.pg import temp_database
from testsupport.processes import ServiceProcess, rss_mib
from travel_agent.storage_usage import postgres_thread_usage, sqlite_thread_usage

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SHORT = "List my trips"


class RssPeak:
    """The largest RSS of a process while the block runs, sampled every 5 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before = rss_mib(pid)
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mib(self.pid))
            time.sleep(0.005)

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib(self.pid))

    @property
    def rise(self) -> float:
        return self.peak - self.before


def cpu_seconds(pid: int) -> float:
    """CPU time the process's threads have run so far (the scheduler's nanoseconds, not
    /proc/pid/stat's 10 ms ticks): less exposed to other load on the machine than wall
    time."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that just ended
    return total / 1e9


def task_cpu_seconds(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


class DatabaseCpu:
    """CPU time of the PostgreSQL server processes serving the bench database (the server
    runs on this machine): the database's own share of a turn, which the service's CPU
    leaves out."""

    def __init__(self, database_url: str | None) -> None:
        self.database_url = database_url
        self.conn: psycopg.AsyncConnection[Any] | None = None

    async def sample(self) -> dict[int, float]:
        if self.database_url is None:
            return {}
        if self.conn is None:
            self.conn = await psycopg.AsyncConnection.connect(self.database_url, autocommit=True)
        cur = await self.conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {pid: task_cpu_seconds(pid) for (pid,) in await cur.fetchall()}

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def postgres_database() -> AbstractContextManager[str]:
    return temp_database("travel_bench", ADMIN_URL)


@contextmanager
def agent(workdir: Path, database_url: str | None) -> Iterator[tuple[str, int]]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GOOGLE"))},
        "LLM_PROVIDER": "offline",
        "PLACES_PROVIDER": "offline",
        "DATA_DIR": str(workdir / "data"),
        "LOG_LEVEL": "warning",
        "DATABASE_URL": database_url or "",
    }
    service = ServiceProcess("travel-agent", env, workdir, "agent")
    try:
        service.start("/readyz", timeout=300)
        assert service.proc is not None
        yield service.url, service.proc.pid
    finally:
        service.stop(timeout=60)


def body(thread: str, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"threadId": thread, "runId": f"r-{uuid.uuid4().hex[:8]}", "messages": messages, **extra}


def user(text: str) -> dict[str, Any]:
    return {"id": f"m-{uuid.uuid4().hex}", "role": "user", "content": text}


async def run(http: httpx.AsyncClient, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    last: dict[str, Any] = {}
    async with http.stream("POST", "/copilotkit", json=payload) as r:
        if r.status_code != 200:
            await r.aread()
            return r.status_code, r.json()
        async for line in r.aiter_lines():
            if line.startswith("data:"):
                last = json.loads(line[5:])
    return 200, last


class Usage:
    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        self.data_dir = data_dir
        self.database_url = database_url

    async def __call__(self, thread: str) -> tuple[int, int]:
        if self.database_url:
            async with await psycopg.AsyncConnection.connect(
                self.database_url, autocommit=True, row_factory=dict_row
            ) as conn:
                found = await postgres_thread_usage(conn, thread)
        else:
            async with aiosqlite.connect(self.data_dir / "travel.sqlite") as conn:
                found = await sqlite_thread_usage(conn, thread)
        return found.bytes, found.checkpoints


async def measure(url: str, pid: int, usage: Usage, turns: int) -> dict[str, Any]:
    thread = f"bench-{uuid.uuid4().hex}"
    latencies: list[float] = []
    cpu: list[float] = []  # the service's CPU seconds per turn
    db_cpu: list[float] = []  # PostgreSQL's, per turn (none on SQLite)
    database_cpu = DatabaseCpu(usage.database_url)
    sizes: list[int] = []
    rises: dict[str, float] = {}
    took: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=url, timeout=300) as http:

        async def timed(name: str, call: Any) -> Any:
            with RssPeak(pid) as peak:
                t0 = time.perf_counter()
                result = await call
                took[name] = time.perf_counter() - t0
            rises[name] = max(rises.get(name, 0.0), peak.rise)
            return result

        for i in range(turns):
            db_before = await database_cpu.sample()
            with RssPeak(pid) as peak:
                t0, c0 = time.perf_counter(), cpu_seconds(pid)
                status, last = await run(http, body(thread, [user(SHORT)]))
                latencies.append(time.perf_counter() - t0)
                cpu.append(cpu_seconds(pid) - c0)
            db_cpu.append(DatabaseCpu.spent(db_before, await database_cpu.sample()))
            assert status == 200 and last.get("type") == "RUN_FINISHED", (status, last)
            rises["short turn (max)"] = max(rises.get("short turn (max)", 0.0), peak.rise)
            size, checkpoints = await usage(thread)
            sizes.append(size)
            if (i + 1) % 50 == 0:
                print(f"  turn {i + 1}: {size / 1024:.1f} KiB, {checkpoints} checkpoint(s)")
        checkpoints_after = (await usage(thread))[1]

        await timed("GET trips", http.get(f"/threads/{thread}/trips"))
        history = await timed("GET history", http.get(f"/threads/{thread}/history"))
        items = history.json()["items"]
        said = [i for i in items if i["type"] == "message"]
        replayed = [{"id": i["id"], "role": i["role"], "content": i["content"]} for i in said]
        status, _ = await timed(
            "replayed history + new message", run(http, body(thread, [*replayed, user(SHORT)]))
        )
        took["replay status"] = status
        first = next(i for i in said if i["role"] == "user")
        edited = {"id": first["id"], "role": "user", "content": "Something else entirely"}
        status, _ = await timed("edited first message (rewind)", run(http, body(thread, [edited])))
        took["rewind status"] = status
        status, last = await timed(
            "plan turn (approval)", run(http, body(thread, [user("Plan a trip to Rome")]))
        )
        interrupts = (last.get("outcome") or {}).get("interrupts") or []
        if interrupts:
            resume = [
                {
                    "interruptId": interrupts[0]["id"],
                    "status": "resolved",
                    "payload": {"approved": True},
                }
            ]
            await timed("approval", run(http, body(thread, [], resume=resume)))
    if database_cpu.conn is not None:
        await database_cpu.conn.close()
    return {
        "latencies": latencies,
        "cpu": cpu,
        "db_cpu": db_cpu,
        "sizes": sizes,
        "rises": rises,
        "took": took,
        "checkpoints": checkpoints_after,
        "rss_end": rss_mib(pid),
    }


def report(name: str, m: dict[str, Any], turns: int) -> None:
    lat, sizes = m["latencies"], m["sizes"]
    per_turn = (sizes[-1] - sizes[-21]) / 20 if len(sizes) > 20 else float("nan")
    t10, tn = lat[9] * 1000, lat[-1] * 1000
    early = statistics.median(lat[5:15]) * 1000
    late = statistics.median(lat[-10:]) * 1000
    print(f"\n== {name}: {turns} short turns on one thread ==")
    print(
        f"stored after turn 1 / 10 / {turns}: {sizes[0] / 1024:.1f} / {sizes[9] / 1024:.1f} / "
        f"{sizes[-1] / 1024:.1f} KiB; checkpoints kept: {m['checkpoints']}"
    )
    print(f"last 20 turns add {per_turn / 1024:.2f} KiB per turn (target <= 30 KB)")
    print(f"latency turn 10: {t10:.0f} ms, turn {turns}: {tn:.0f} ms, ratio {tn / t10:.2f}")
    print(
        f"median latency turns 6-15: {early:.0f} ms, last 10: {late:.0f} ms, "
        f"ratio {late / early:.2f} (target <= 1.5)"
    )
    cpu_early = statistics.median(m["cpu"][5:15]) * 1000
    cpu_late = statistics.median(m["cpu"][-10:]) * 1000
    print(
        f"service CPU per turn, median of turns 6-15: {cpu_early:.1f} ms, last 10: "
        f"{cpu_late:.1f} ms, ratio {cpu_late / cpu_early:.2f}"
    )
    if any(m["db_cpu"]):
        db_early = statistics.median(m["db_cpu"][5:15]) * 1000
        db_late = statistics.median(m["db_cpu"][-10:]) * 1000
        print(
            f"PostgreSQL CPU per turn, median of turns 6-15: {db_early:.1f} ms, last 10: "
            f"{db_late:.1f} ms, ratio {db_late / db_early:.2f}"
        )
    print("RSS rise during a request (MiB, target <= 50):")
    for what, rise in m["rises"].items():
        extra = f", {m['took'][what] * 1000:.0f} ms" if what in m["took"] else ""
        print(f"  {what}: +{rise:.1f}{extra}")
    took = m["took"]
    print(f"replay answered {took['replay status']}, rewind answered {took['rewind status']}")
    print(f"RSS at the end: {m['rss_end']:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
            workdir = Path(tmp)
            if backend == "postgres":
                with postgres_database() as url, agent(workdir, url) as (base, pid):
                    m = asyncio.run(measure(base, pid, Usage(workdir / "data", url), args.turns))
            else:
                with agent(workdir, None) as (base, pid):
                    m = asyncio.run(measure(base, pid, Usage(workdir / "data", None), args.turns))
            report(backend, m, args.turns)
    print(f"\nload average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
