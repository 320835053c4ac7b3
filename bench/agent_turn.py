"""Benchmark: agent turns over HTTP + SSE, with the server CPU each one costs.

Two modes:

- offline (default): the embedded defaults (offline planner, gazetteer, SQLite). A
  "Plan a trip to <city>" run that searches and ends in an approval interrupt, then the
  resume run that approves it.
- `--llm`: the real OpenAI-compatible provider and the Google Places (New) provider
  against `bench/scripted_upstreams.py` (a local server shaped like their documented
  streaming responses, answering at once). A turn is one "Plan a trip to <city>" run:
  two streamed LLM calls, one place search, about 100 SSE events, ending in the approval.

For each concurrency (1, 10, 20) it prints latency p50/p95, runs/s and the agent's server
CPU per run: utime+stime of the agent process tree from /proc, before and after the phase.
Start to /readyz 200 is timed on every start, after `python -m compileall` of the code.

Beside the agent's CPU per turn it prints what runs outside it, from /proc too: this
process (the client), the scripted upstream, the PostgreSQL backends of the agent's
database; the cores these kept busy over the phase and the cores the whole machine kept
busy (other users included, /proc/stat): if the machine was at 2.0 of 2, a second worker
had no free core. With several workers, each worker's share of the agent's CPU (all of
them serve turns), and at the end of a start the totals of `travel_agent_runs_total` that
/metrics reports over 8 scrapes (each worker answers for itself). The load generator is
kept cheap: one client process, a bare HTTP/1.1 client that counts SSE events in the bytes
and parses only the last one (the check: RUN_FINISHED with the approval interrupt), and a
scripted upstream sending precomputed bytes.

`--compare OTHER` runs a second checkout (e.g. `git worktree add /tmp/base main`) in the
same call, alternating rounds (A B A B ...), so the machine's drift hits both. Both use
this interpreter and its installed dependencies; each checkout's own code comes first on
PYTHONPATH (`*/src` of the checkout).

    .venv/bin/python bench/agent_turn.py [--llm] [--database-url postgresql://...]
        [--workers N] [--compare /path/to/checkout [--compare-workers M]] [--rounds 2]
        [--json out.json] [--profile stacks.txt]

`--compare . --workers 1 --compare-workers 2` compares one and two worker processes
(PostgreSQL only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from testsupport.pg import temp_database
from testsupport.ports import free_port
from testsupport.processes import rss_mib

CITIES = ["Rome", "Paris", "Kyoto", "Lisbon", "Barcelona", "Istanbul", "Prague", "Vienna"]
HERE = Path(__file__).resolve().parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # fields from "state" on


def tree_cpu_s(pid: int) -> float:
    """utime+stime of a process, its live descendants and the children it reaped."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = _stat(p)
        except OSError:
            continue
        # utime, stime, cutime, cstime are fields 14-17 (1-based); here offset by 3.
        total += sum(int(v) for v in fields[11:15])
        todo.extend(children.get(p, []))
    return total / CLOCK_TICKS


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def own_cpu_s() -> float:
    """utime+stime of this process alone (the client), not of the children it started."""
    return time.process_time()


def backends_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to `database`."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            if "postgres:" not in command or f" {database} " not in command:
                continue
            total += sum(int(v) for v in _stat(int(pid))[11:13])  # utime, stime
        except (OSError, ValueError):
            continue
    return total / CLOCK_TICKS


def machine_cpu_s() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, every process (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def worker_pids(pid: int) -> list[int]:
    """The agent's worker processes (WEB_CONCURRENCY > 1: the parent's children), or [pid]."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    except OSError:
        return [pid]
    return sorted(found) or [pid]


@dataclass
class Generator:
    """What runs outside the agent besides this process (the client): the scripted
    upstream (`--llm`; with the client, the load generator) and the PostgreSQL backends
    serving the agent's database (the agent's, but in processes of their own)."""

    upstream_pid: int | None = None
    database: str | None = None

    def cpu_s(self) -> dict[str, float]:
        """CPU seconds so far of the upstream and the backends (the client: `own_cpu_s`)."""
        return {
            "upstream": tree_cpu_s(self.upstream_pid) if self.upstream_pid else 0.0,
            "postgres": backends_cpu(self.database) if self.database else 0.0,
        }


def sse_events(raw: bytes) -> tuple[int, dict[str, Any]]:
    """The number of SSE events in a response body, and the last one parsed: the events are
    counted in the bytes (each begins a line with `data:`), not decoded one by one."""
    events = raw.count(b"\ndata:") + raw.startswith(b"data:")
    if not events:
        return 0, {}
    start = raw.rfind(b"\ndata:") + 1  # 0 when the only event is the first line
    end = raw.find(b"\n", start)
    return events, json.loads(raw[start + 5 : end if end >= 0 else None])


class Connections:
    """A bare HTTP/1.1 client for the benchmark's POSTs: keep-alive connections to one
    host, the request written in one piece, the response body read whole (chunked or
    Content-Length) and returned as bytes. httpx, decoding every SSE line, cost the client
    5-6 ms of CPU per turn, this 1-2 ms (bench/RESULTS.md, "workers, 2026-12-03")."""

    def __init__(self, base_url: str, limit: int) -> None:
        host, _, port = base_url.removeprefix("http://").rstrip("/").partition(":")
        self.host, self.port = host, int(port or 80)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(limit)

    async def post(self, path: str, body: dict[str, Any]) -> bytes:
        payload = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        async with self.slots, asyncio.timeout(120):
            reused = bool(self.idle)
            if reused:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            writer.write(head + payload)
            try:
                status, headers = await _response_head(reader)
            except (asyncio.IncompleteReadError, ConnectionResetError) as e:
                if not reused or (isinstance(e, asyncio.IncompleteReadError) and e.partial):
                    raise
                # The server closed the idle connection (its keep-alive timeout) before it
                # read the request: nothing was done, send it again on a new one.
                writer.close()
                reader, writer = await asyncio.open_connection(self.host, self.port)
                writer.write(head + payload)
                status, headers = await _response_head(reader)
            raw = await _response_body(reader, headers)
            if headers.get(b"connection") == b"close":
                writer.close()
            else:
                self.idle.append((reader, writer))
        if status != 200:
            raise RuntimeError(f"POST {path}: HTTP {status}: {raw[:300]!r}")
        return raw

    async def aclose(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _response_head(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    lines = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    return int(lines[0].split()[1]), headers


async def _response_body(reader: asyncio.StreamReader, headers: dict[bytes, bytes]) -> bytes:
    if b"content-length" in headers:
        return await reader.readexactly(int(headers[b"content-length"]))
    if headers.get(b"transfer-encoding") != b"chunked":
        raise RuntimeError(f"neither Content-Length nor chunked: {headers}")
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers from uvicorn: the last CRLF
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def run(http: Connections, body: dict[str, Any]) -> tuple[float, dict[str, Any], int]:
    start = time.perf_counter()
    raw = await http.post("/copilotkit", body)
    events, last = sse_events(raw)
    return time.perf_counter() - start, last, events


async def turn(http: Connections, i: int, resume: bool) -> list[tuple[float, int]]:
    thread = f"bench-{uuid.uuid4().hex}"
    plan = {
        "threadId": thread,
        "runId": f"r-{i}-a",
        "messages": [
            {"id": f"m-{i}", "role": "user", "content": f"Plan a trip to {CITIES[i % 8]}"}
        ],
    }
    t_plan, finished, n_plan = await run(http, plan)
    assert finished["type"] == "RUN_FINISHED", finished
    assert finished["outcome"]["interrupts"], finished  # the plan ends asking for approval
    if not resume:
        return [(t_plan, n_plan)]
    interrupt = finished["outcome"]["interrupts"][0]["id"]
    body = {
        "threadId": thread,
        "runId": f"r-{i}-b",
        "messages": [],
        "resume": [{"interruptId": interrupt, "status": "resolved", "payload": {"approved": True}}],
    }
    t_resume, finished, n_resume = await run(http, body)
    assert finished["type"] == "RUN_FINISHED", finished
    return [(t_plan, n_plan), (t_resume, n_resume)]


def metrics_runs(url: str, scrapes: int = 8) -> list[float]:
    """The distinct totals of `travel_agent_runs_total` that `scrapes` scrapes of /metrics
    (each on a new connection) report. One process: one total. Several workers: each
    answers with its own registry, so a scrape shows one worker's count, not the service's
    (docs/operations.md, "Several worker processes")."""
    seen: set[float] = set()
    for _ in range(scrapes):
        text = httpx.get(f"{url}/metrics", timeout=10).text
        seen.add(
            sum(
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith("travel_agent_runs_total{")
            )
        )
    return sorted(seen)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


async def measure(
    url: str, pid: int, n: int, concurrency: int, resume: bool, gen: Generator | None = None
) -> dict[str, Any]:
    sem = asyncio.Semaphore(concurrency)
    plans: list[float] = []
    resumes: list[float] = []
    events: list[int] = []
    gen = gen or Generator()
    http = Connections(url, concurrency)
    try:

        async def one(i: int) -> None:
            async with sem:
                timed = await turn(http, i, resume)
                plans.append(timed[0][0])
                events.append(timed[0][1])
                if resume:
                    resumes.append(timed[1][0])

        workers = worker_pids(pid)
        per_worker0 = [tree_cpu_s(w) for w in workers]
        machine0, gen0, cpu0 = machine_cpu_s(), gen.cpu_s(), tree_cpu_s(pid)
        # The client's own CPU is read right around the turns: the /proc scans above and
        # below are the benchmark's, not the load's.
        client0, start = own_cpu_s(), time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed, client = time.perf_counter() - start, own_cpu_s() - client0
        cpu = tree_cpu_s(pid) - cpu0
        gen_cpu = {"client": client, **{k: v - gen0[k] for k, v in gen.cpu_s().items()}}
        machine = [b - a for a, b in zip(machine0, machine_cpu_s(), strict=True)]
        per_worker = [tree_cpu_s(w) - c for w, c in zip(workers, per_worker0, strict=True)]
    finally:
        await http.aclose()
    runs = len(plans) + len(resumes)
    out: dict[str, Any] = {
        "concurrency": concurrency,
        "turns": n,
        "plan_p50_ms": pct(plans, 50),
        "plan_p95_ms": pct(plans, 95),
        "plan_sse_events": statistics.mean(events),
        "runs_per_s": runs / elapsed,
        "turns_per_s": n / elapsed,
        "cpu_ms_per_run": cpu * 1000 / runs,
        "cpu_ms_per_turn": cpu * 1000 / n,
        # Outside the agent, per turn: this process (the client), the scripted upstream,
        # the PostgreSQL backends of the agent's database.
        **{f"{k}_cpu_ms_per_turn": v * 1000 / n for k, v in gen_cpu.items()},
        "generator_cpu_ms_per_turn": (gen_cpu["client"] + gen_cpu["upstream"]) * 1000 / n,
        # Cores kept busy: by the agent + client + upstream + PostgreSQL, and by the whole
        # machine (other users included), over the phase's wall time.
        "busy_cores": (cpu + sum(gen_cpu.values())) / elapsed,
        "machine_busy_cores": machine[0] / elapsed,
        "machine_cores": machine[1] / elapsed,
        # Each worker's share of the agent's CPU (several workers: all of them serve turns).
        "worker_cpu_share": [round(w / cpu, 3) if cpu else 0.0 for w in per_worker],
    }
    if resume:
        out["resume_p50_ms"] = pct(resumes, 50)
        out["resume_p95_ms"] = pct(resumes, 95)
    return out


def source_path(checkout: Path) -> str:
    """Every workspace package's src folder of a checkout, for PYTHONPATH."""
    return os.pathsep.join(str(p) for p in sorted(checkout.glob("*/src")) if p.is_dir())


def compile_bytecode(checkouts: list[Path]) -> None:
    site = [p for p in sys.path if p.endswith("site-packages")]
    dirs = [str(p) for c in checkouts for p in c.glob("*/src")] + site
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *dirs],
        check=False,
        stdout=subprocess.DEVNULL,
    )


def llm_settings(upstream: str) -> dict[str, str]:
    """The settings of the LLM mode: OpenAI + Google against the scripted `upstream`."""
    return {
        "llm_provider": "openai",
        "openai_api_key": "sk-bench",
        "openai_base_url": f"{upstream}/v1",
        "travel_model": "gpt-bench",
        "places_provider": "google",
        "google_maps_api_key": "bench-key",
        "google_places_url": f"{upstream}/v1/places:searchText",
    }


@contextmanager
def upstreams() -> Iterator[str]:
    with upstream_process() as (url, _pid):
        yield url


@contextmanager
def upstream_process() -> Iterator[tuple[str, int]]:
    """`scripted_upstreams.py` on a free port: its URL and its pid."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "scripted_upstreams.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(url + "/v1/places:searchText", method="POST", proc=proc)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)


def wait_until(url: str, *, proc: subprocess.Popen[bytes], method: str = "GET") -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            r = httpx.request(method, url, json={}, timeout=1)
            if r.status_code < 500 and (method != "GET" or r.status_code == 200):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer in time")


@contextmanager
def database(admin_url: str | None) -> Iterator[str | None]:
    """A fresh PostgreSQL database per agent start (dropped afterwards), or None (SQLite)."""
    if admin_url is None:
        yield None
        return
    with temp_database("travel_bench", admin_url) as url:
        yield url


@contextmanager
def profiled(pid: int, out: Path | None, checkout: Path) -> Iterator[None]:
    """py-spy (not a project dependency: `uv pip install --target DIR py-spy`, then put
    DIR/bin on PATH) samples the agent while the phases run; collapsed stacks go to
    OUT.<checkout name>.txt."""
    if out is None:
        yield
        return
    target = out.with_suffix(f".{checkout.name}.txt")
    command = ["py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate", "100"]
    spy = subprocess.Popen(
        [*command, "--nonblocking", "--output", str(target)],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(1)  # attached before the first phase
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)


def plan_of(args: argparse.Namespace) -> list[tuple[int, int]]:
    scale = args.turns
    return [(1, max(10, scale // 4)), (10, scale), (20, scale)]


def one_start(
    checkout: Path,
    workers: int,
    args: argparse.Namespace,
    upstream: str | None,
    upstream_pid: int | None = None,
) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    result: dict[str, Any] = {
        "checkout": str(checkout),
        "workers": workers,
        "load_before": load_average(),
    }
    with tempfile.TemporaryDirectory() as data, database(args.database_url) as db_url:
        env = {
            **os.environ,
            "PYTHONPATH": source_path(checkout),
            "PORT": str(port),
            "DATA_DIR": data,
            "LOG_LEVEL": "warning",
            "WEB_CONCURRENCY": str(workers),
            "LLM_PROVIDER": "offline",
            "PLACES_PROVIDER": "offline",
        }
        env.pop("DATABASE_URL", None)
        if db_url:
            env["DATABASE_URL"] = db_url
        if upstream:
            env.update({name.upper(): value for name, value in llm_settings(upstream).items()})
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "travel_agent.main"], env=env, stdout=subprocess.DEVNULL
        )
        try:
            wait_until(f"{url}/readyz", proc=proc)
            result["ready_s"] = time.perf_counter() - start
            # CPU spent until ready: what start-up costs whatever else the machine runs.
            result["ready_cpu_s"] = tree_cpu_s(proc.pid)
            result["rss_ready_mib"] = rss_mib(proc.pid)
            resume = not args.llm
            gen = Generator(upstream_pid, db_url.rsplit("/", 1)[1] if db_url else None)
            asyncio.run(measure(url, proc.pid, 20, 2 * workers, resume))  # warm-up
            result["phases"] = []
            with profiled(proc.pid, args.profile, checkout):
                for c, n in plan_of(args):
                    phase = asyncio.run(measure(url, proc.pid, n, c, resume, gen))
                    result["phases"].append(phase)
            result["rss_end_mib"] = rss_mib(proc.pid)
            result["metrics_runs_seen"] = metrics_runs(url)
        finally:
            proc.terminate()
            proc.wait(30)
    result["load_after"] = load_average()
    return result


def show(r: dict[str, Any], label: str) -> None:
    print(
        f"[{label}] ready {r['ready_s']:.2f} s ({r['ready_cpu_s']:.2f} s CPU), "
        f"RSS {r['rss_ready_mib']:.0f} → "
        f"{r['rss_end_mib']:.0f} MiB, load {r['load_before']} → {r['load_after']}"
    )
    if "metrics_runs_seen" in r:
        seen = ", ".join(f"{v:.0f}" for v in r["metrics_runs_seen"])
        print(f"  /metrics travel_agent_runs_total over 8 scrapes: {seen}")
    for p in r["phases"]:
        line = (
            f"  c={p['concurrency']:>2} n={p['turns']:>3}: plan p50 {p['plan_p50_ms']:.1f} "
            f"p95 {p['plan_p95_ms']:.1f} ms"
        )
        if "resume_p50_ms" in p:
            line += f" | resume p50 {p['resume_p50_ms']:.1f} p95 {p['resume_p95_ms']:.1f} ms"
        line += (
            f" | {p['runs_per_s']:.1f} runs/s | CPU {p['cpu_ms_per_run']:.1f} ms/run"
            f" | {p['plan_sse_events']:.0f} events/plan"
        )
        print(line, flush=True)
        if "generator_cpu_ms_per_turn" in p:
            print(f"        {cpu_line(p)}", flush=True)


def cpu_line(p: dict[str, Any]) -> str:
    """CPU per turn inside and outside the agent, and the cores that kept busy."""
    line = (
        f"CPU ms/turn: agent {p['cpu_ms_per_turn']:.1f}, client {p['client_cpu_ms_per_turn']:.1f}"
        f" + upstream {p['upstream_cpu_ms_per_turn']:.1f}"
        f" = generator {p['generator_cpu_ms_per_turn']:.1f}"
    )
    if p["postgres_cpu_ms_per_turn"]:
        line += f", PostgreSQL {p['postgres_cpu_ms_per_turn']:.1f}"
    line += (
        f" | busy cores: these {p['busy_cores']:.2f}, machine {p['machine_busy_cores']:.2f}"
        f" of {p['machine_cores']:.1f}"
    )
    share = p.get("worker_cpu_share", [])
    if len(share) > 1:
        line += " | workers' CPU share " + "/".join(f"{100 * v:.0f}%" for v in share)
    return line


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over rounds of each phase's figures."""
    out: dict[str, Any] = {
        key: statistics.median(r[key] for r in results) for key in ("ready_s", "ready_cpu_s")
    }
    for i, phase in enumerate(results[0]["phases"]):
        key = f"c{phase['concurrency']}"
        out[key] = {
            k: statistics.median(r["phases"][i][k] for r in results)
            for k in phase
            if isinstance(phase[k], float)
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--llm", action="store_true", help="OpenAI + Google against scripts")
    parser.add_argument("--database-url", help="admin URL of a PostgreSQL server to use")
    parser.add_argument("--workers", type=int, default=1, help="WEB_CONCURRENCY")
    parser.add_argument("--compare", type=Path, help="another checkout, run alternately")
    parser.add_argument(
        "--compare-workers", type=int, help="WEB_CONCURRENCY of the compared run (--workers)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="starts per checkout")
    parser.add_argument("--turns", type=int, default=200, help="turns at c=10 and c=20")
    parser.add_argument("--json", type=Path, help="write the summary here")
    parser.add_argument("--profile", type=Path, help="py-spy collapsed stacks, per checkout")
    args = parser.parse_args()
    # Stopped from outside (timeout): still stop the agent and drop its database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    checkouts = [HERE.parent] + ([args.compare.resolve()] if args.compare else [])
    labels = ["this"] + (["compare"] if args.compare else [])
    workers = [args.workers, args.compare_workers or args.workers]
    compile_bytecode(checkouts)
    results: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    with upstream_process() if args.llm else _nothing() as (upstream, upstream_pid):
        for _ in range(args.rounds):
            for label, checkout, n in zip(labels, checkouts, workers, strict=False):
                r = one_start(checkout, n, args, upstream, upstream_pid)
                show(r, label)
                results[label].append(r)
    report: dict[str, Any] = {
        "mode": "llm" if args.llm else "offline",
        "database": "postgresql" if args.database_url else "sqlite",
        "checkouts": {
            label: {"path": str(c), "workers": n}
            for label, c, n in zip(labels, checkouts, workers, strict=False)
        },
        "summary": {label: summary(rs) for label, rs in results.items()},
        "runs": results,
    }
    for label, s in report["summary"].items():
        cpu = " ".join(f"c{c}={s[f'c{c}']['cpu_ms_per_run']:.1f}" for c in (1, 10, 20))
        print(
            f"median [{label}]: ready {s['ready_s']:.2f} s ({s['ready_cpu_s']:.2f} s CPU) | "
            f"CPU ms/run {cpu} | "
            f"c20 {s['c20']['runs_per_s']:.1f} runs/s"
        )
        print(f"median [{label}] c20 {cpu_line(s['c20'])}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


@contextmanager
def _nothing() -> Iterator[tuple[None, None]]:
    yield None, None


if __name__ == "__main__":
    main()
