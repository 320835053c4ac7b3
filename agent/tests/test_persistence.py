"""Trips survive a restart: a new process on the same database finds the same thread."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from agent_kit import PLAN_TEXT, AgentClient, new_thread
from live import AgentProcess
from pg import temp_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    with temp_database() as url:
        yield url


async def plan_and_approve(url: str, thread: str) -> dict:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        client = AgentClient(http)
        await client.run(thread, PLAN_TEXT)
        await client.approve(thread)
        await client.run(thread, "Show the Paris trip")
        return await client.trips(thread)


async def read_back(url: str, thread: str) -> tuple[dict, list]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        trips = (await http.get(f"/threads/{thread}/trips")).json()
        history = (await http.get(f"/threads/{thread}/history")).json()["items"]
        return trips, history


def restart_keeps_the_thread(env: dict[str, str], tmp_path: Path, sig: int) -> None:
    thread = new_thread()
    with AgentProcess(env, tmp_path / "agent.log") as first:
        before = asyncio.run(plan_and_approve(first.url, thread))
        _, history_before = asyncio.run(read_back(first.url, thread))
        first.stop(sig)
    with AgentProcess(env, tmp_path / "agent.log") as second:
        after, history = asyncio.run(read_back(second.url, thread))
    assert len(before["trips"]) == 3
    assert after["trips"] == before["trips"]
    assert after["selected_trip_id"] == "2"
    assert history == history_before
    assert next(i["role"] for i in history if i["type"] == "message") == "user"


@pytest.mark.slow
def test_sqlite_thread_survives_a_restart(tmp_path: Path) -> None:
    restart_keeps_the_thread({"DATA_DIR": str(tmp_path / "data")}, tmp_path, signal.SIGTERM)


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_thread_survives_a_killed_process(tmp_path: Path, pg_url: str) -> None:
    restart_keeps_the_thread({"DATABASE_URL": pg_url}, tmp_path, signal.SIGKILL)


@pytest.mark.postgres
async def test_postgres_flow_in_process(tmp_path: Path, pg_url: str) -> None:
    from travel_agent.app import create_app

    from agent_kit import make_settings

    app = create_app(make_settings(tmp_path, database_url=pg_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            client = AgentClient(http)
            assert (await http.get("/readyz")).json()["checkpointer"] == "postgres"
            thread = new_thread()
            await client.run(thread, PLAN_TEXT)
            await client.cancel(thread)
            await client.run(thread, PLAN_TEXT)
            await client.approve(thread)
            data = await client.trips(thread)
    assert len(data["trips"]) == 3


@pytest.mark.postgres
async def test_postgres_dropped_connections_do_not_break_the_service(
    tmp_path: Path, pg_url: str
) -> None:
    import psycopg

    from travel_agent.app import create_app

    from agent_kit import make_settings
    from pg import ADMIN_URL

    app = create_app(make_settings(tmp_path, database_url=pg_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a") as http:
            client = AgentClient(http)
            thread = new_thread()
            await client.run(thread, "List my trips")
            # the server drops every connection of the pool (a failover, an idle timeout)
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                killed = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (pg_url.rsplit("/", 1)[1],),
                ).fetchone()
            assert killed and killed[0] >= 1
            assert (await http.get("/readyz")).status_code == 200
            await client.run(thread, PLAN_TEXT)
            await client.approve(thread)
            assert len((await client.trips(thread))["trips"]) == 3


@pytest.mark.postgres
async def test_one_run_per_thread_across_replicas(tmp_path: Path, pg_url: str) -> None:
    """Two app instances on one database: the advisory lock refuses the second run."""
    from langchain_core.messages import AIMessage

    from travel_agent.app import create_app

    from agent_kit import make_settings
    from scripted import ScriptedModel, SlowPlaces, call

    places = SlowPlaces()
    model = ScriptedModel(
        script=[call("search_for_places", {"queries": ["x"]}), AIMessage(content="found")],
        seen=[],
    )
    first = create_app(make_settings(tmp_path, database_url=pg_url), model=model, places=places)
    second = create_app(make_settings(tmp_path, database_url=pg_url))
    async with first.router.lifespan_context(first), second.router.lifespan_context(second):
        t1, t2 = httpx.ASGITransport(app=first), httpx.ASGITransport(app=second)
        async with (
            httpx.AsyncClient(transport=t1, base_url="http://a") as h1,
            httpx.AsyncClient(transport=t2, base_url="http://b") as h2,
        ):
            thread = new_thread()
            running = asyncio.create_task(AgentClient(h1).run(thread, "search"))
            await asyncio.wait_for(places.entered.wait(), 10)
            refused = await AgentClient(h2).run(thread, "List my trips", expect=409)
            edit = await h2.delete(f"/threads/{thread}/trips/1/places/1")
            places.release.set()
            await asyncio.wait_for(running, 10)
            after = await AgentClient(h2).run(thread, "List my trips")
    assert refused[0]["status"] == 409
    assert edit.status_code == 409
    assert after[-1]["type"] == "RUN_FINISHED"


@pytest.mark.postgres
async def test_replicas_starting_together_on_a_new_database_all_come_up(
    tmp_path: Path, pg_url: str
) -> None:
    """Several replicas migrate a fresh database at the same moment (an ha rollout)."""
    from travel_agent.persistence import open_persistence

    from agent_kit import make_settings

    async def start(i: int) -> bool:
        settings = make_settings(tmp_path / str(i), database_url=pg_url)
        async with open_persistence(settings) as persistence:
            return await persistence.ping()

    assert await asyncio.gather(*(start(i) for i in range(4))) == [True] * 4


#: Builds the app on SQLite, runs its start-up and one request, then names the PostgreSQL
#: modules it loaded.
_SQLITE_START = """
import asyncio, sys
import httpx
from travel_agent.app import create_app
from travel_agent.settings import Settings

async def main():
    settings = Settings(_env_file=None, data_dir=sys.argv[1], llm_provider="offline",
                        places_provider="offline")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/readyz")).status_code == 200
    saver = "langgraph.checkpoint.postgres"
    print(sorted(m for m in sys.modules if m.split(".")[0] in POSTGRES or m.startswith(saver)))

POSTGRES = {"psycopg", "psycopg_pool", "psycopg_binary", "psycopg_c"}
asyncio.run(main())
"""


def test_starting_on_sqlite_does_not_import_the_postgresql_driver(tmp_path: Path) -> None:
    """psycopg and its pool cost ~55 ms of cold start that SQLite never uses."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    found = subprocess.run(
        [sys.executable, "-c", _SQLITE_START, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip().splitlines()[-1] == "[]"
