"""Benchmark: CPU and wall time of one PostgreSQL pool checkout (plus `SELECT 1`) with the
pool's connection check as the agent builds it (`cheap_check`: a round trip only for a
connection with something waiting on its socket), the full check on every checkout (an
empty query, as before issue 15) and no check, alternately, in this process.

Each round opens the agent's pool (`FailFastPool`, 4 connections) on a database of its
own, takes 4 connections at a time `--checkouts` times, and divides this process's CPU
(`time.process_time()`) and the wall time by the checkouts. A "Plan a trip" turn now takes
one (its database work shares the thread lock's connection, `storage_circuit.lend`); 15 before.

    .venv/bin/python bench/pool_checkout.py [--database-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--checkouts 250] [--rounds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from psycopg.rows import dict_row

from testsupport.pg import temp_database
from travel_agent.persistence_postgres import cheap_check
from travel_agent.storage_circuit import FailFastPool, StorageCircuit, watched_check

CHECKS = ("cheap", "full", "none")


async def per_checkout(url: str, kind: str, checkouts: int) -> tuple[float, float]:
    circuit = StorageCircuit(url, probe_interval=1, probe_timeout=2)
    checks: dict[str, Any] = {
        "cheap": cheap_check(circuit),
        "full": watched_check(circuit),
        "none": None,
    }
    pool = FailFastPool(
        conninfo=url,
        min_size=4,
        max_size=4,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        check=checks[kind],
        open=False,
    )
    pool.circuit = circuit
    await pool.open(wait=True)

    async def one() -> None:
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")

    try:
        for _ in range(50):  # warm
            await one()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(checkouts):
            await asyncio.gather(one(), one(), one(), one())
        n = 4 * checkouts
        return (time.process_time() - cpu) * 1000 / n, (time.perf_counter() - wall) * 1000 / n
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--checkouts", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    figures: dict[str, list[tuple[float, float]]] = {kind: [] for kind in CHECKS}
    with temp_database("travel_bench", args.database_url) as url:
        for _ in range(args.rounds):
            for kind in CHECKS:
                figures[kind].append(asyncio.run(per_checkout(url, kind, args.checkouts)))
    for kind, values in figures.items():
        cpu = statistics.median(c for c, _ in values)
        wall = statistics.median(w for _, w in values)
        rounds = " ".join(f"{c:.3f}" for c, _ in values)
        print(f"{kind:5s} check: {cpu:.3f} ms CPU, {wall:.3f} ms wall per checkout ({rounds})")
    print("load", " ".join(Path("/proc/loadavg").read_text().split()[:3]))


if __name__ == "__main__":
    main()
