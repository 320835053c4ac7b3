"""WEB_CONCURRENCY: several agent processes on one port, PostgreSQL only, as real processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from agent_kit import PLAN_TEXT, AgentClient, new_thread
from live import AgentProcess, free_port
from pg import temp_database

AGENT = str(Path(sys.executable).parent / "travel-agent")


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def exists(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_several_workers_on_sqlite_are_refused_with_a_sentence(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "WEB_CONCURRENCY": "2",
        "DATA_DIR": str(tmp_path / "data"),
        "PORT": str(free_port()),
        "LLM_PROVIDER": "offline",
        "PLACES_PROVIDER": "offline",
    }
    done = subprocess.run(
        [AGENT], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "travel-agent: WEB_CONCURRENCY=2 needs PostgreSQL: set DATABASE_URL to a "
        "postgresql:// URL, or run one process (WEB_CONCURRENCY=1) on SQLite."
    )
    assert not (tmp_path / "data").exists()  # refused before it touched anything


@pytest.mark.postgres
async def test_two_workers_share_the_port_and_the_threads(tmp_path: Path) -> None:
    with temp_database() as url:
        env = {"DATABASE_URL": url, "WEB_CONCURRENCY": "2", "DATA_DIR": str(tmp_path)}
        agent = AgentProcess(env, tmp_path / "agent.log").start(timeout=180)
        try:
            assert agent.proc is not None
            workers = children(agent.proc.pid)
            assert len(workers) == 2
            # Connections land on whichever worker accepts first; every approval comes
            # on a new connection, so a thread's runs may be served by different
            # processes, and only the database joins them up.
            threads = [new_thread() for _ in range(6)]
            async with httpx.AsyncClient(base_url=agent.url, timeout=120) as http:
                await asyncio.gather(*(AgentClient(http).run(t, PLAN_TEXT) for t in threads))
            for thread in threads:
                async with httpx.AsyncClient(base_url=agent.url, timeout=120) as http:
                    client = AgentClient(http)
                    approved = await client.approve(thread)
                    assert approved[-1]["type"] == "RUN_FINISHED"
                    trips = await client.trips(thread)
                    assert trips["pending_approval"] is None
                    assert any("Rome" in t["name"] for t in trips["trips"])
            assert agent.stop() == 0
            assert not any(exists(pid) for pid in workers)  # the parent reaped them
        finally:
            if agent.proc and agent.proc.poll() is None:
                agent.stop()
