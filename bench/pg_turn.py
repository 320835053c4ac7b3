"""Benchmark: what one LLM-path turn costs on PostgreSQL, in one process (as turn_calls.py:
the app over ASGITransport against `scripted_upstreams.py`, a database of its own).

Prints pool checkouts and SQL statements per turn (counted over a few turns), then this
process's CPU per turn and the CPU of the PostgreSQL backends serving its database (from
/proc, in clock ticks: read it over many turns). Under callgrind it also prints the
instructions per turn, which the machine's load does not move at all:

    .venv/bin/python bench/pg_turn.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg/out.%p \\
        .venv/bin/python bench/pg_turn.py --database-url ... --callgrind /tmp/cg --turns 8

For an A/B, run it from two checkouts (each one's `*/src` first on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import logging
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psycopg
from agent_turn import backends_cpu
from psycopg_pool import AsyncConnectionPool
from turn_calls import _database, _upstream, client, settings_for, turn

from travel_agent.settings import Settings


def counting() -> tuple[dict[str, int], Callable[[], None]]:
    """Counts pool checkouts and statements until the returned function undoes it."""
    counts = {"checkouts": 0, "statements": 0}
    patched: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, name: str, key: str) -> None:
        original = getattr(owner, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            counts[key] += 1
            return await original(*args, **kwargs)

        patched.append((owner, name, original))
        setattr(owner, name, counted)

    wrap(AsyncConnectionPool, "getconn", "checkouts")
    wrap(psycopg.AsyncCursor, "execute", "statements")
    wrap(psycopg.AsyncCursor, "executemany", "statements")

    def undo() -> None:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)

    return counts, undo


def callgrind(command: str) -> None:
    subprocess.run(["callgrind_control", command, str(os.getpid())], check=True)


def callgrind_totals(out_dir: Path) -> int:
    dumps = sorted(glob.glob(str(out_dir / f"*.{os.getpid()}.*")), key=os.path.getmtime)
    for line in Path(dumps[-1]).read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError("no totals in the callgrind dump")


async def turns(http: httpx.AsyncClient, n: int) -> None:
    for i in range(n):
        await turn(http, i, False)


async def measure(settings: Settings, database: str, args: argparse.Namespace) -> None:
    async with client(settings) as http:
        await turns(http, args.warmup)
        counts, undo = counting()
        try:
            await turns(http, 3)
        finally:
            undo()
        print(
            f"per turn: {counts['checkouts'] / 3:.1f} pool checkouts, "
            f"{counts['statements'] / 3:.1f} statements"
        )
        if args.callgrind:
            callgrind("-z")
            callgrind("--instr=on")
        cpu0, backends0 = time.process_time(), backends_cpu(database)
        await turns(http, args.turns)
        cpu, backends = time.process_time() - cpu0, backends_cpu(database) - backends0
        if args.callgrind:
            callgrind("--instr=off")
            callgrind("-d")
            await asyncio.sleep(0.5)
            instructions = callgrind_totals(args.callgrind) / args.turns
            print(f"instructions per turn (callgrind): {instructions / 1e6:.1f} M")
        print(
            f"CPU per turn: this process {cpu * 1000 / args.turns:.2f} ms, "
            f"PostgreSQL backends {backends * 1000 / args.turns:.2f} ms ({args.turns} turns)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="admin URL of a PostgreSQL server")
    parser.add_argument("--turns", type=int, default=60, help="measured turns")
    parser.add_argument("--warmup", type=int, default=10, help="turns before measuring")
    parser.add_argument("--callgrind", type=Path, help="callgrind's output folder (under it)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with (
        tempfile.TemporaryDirectory() as data,
        _upstream(True) as upstream,
        _database(args.database_url) as url,
    ):
        assert upstream is not None and url is not None
        settings = settings_for(Path(data), upstream, url)
        asyncio.run(measure(settings, url.rsplit("/", 1)[1], args))


if __name__ == "__main__":
    main()
