"""A thread stores what was said, not every step's copy of the whole conversation: its
stored bytes grow by about the same amount each turn, it keeps one checkpoint, and a
database written before pruning existed is pruned once when the new code opens it.

Sizes are logical bytes (the sum of the thread's row sizes), never timings."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from ag_ui_langgraph import LangGraphAgent

from travel_agent import persistence as persistence_module
from travel_agent.agui_agent import TravelAgent
from travel_agent.app import create_app
from travel_agent.checkpoint_pruning import PruningPostgresSaver, PruningSqliteSaver
from travel_agent.storage_messages import MessageStore
from travel_agent.storage_usage import ThreadUsage, thread_usage

from agent_kit import PLAN_TEXT, AgentClient, make_settings, new_thread
from pg import temp_database

TURNS = 30
SHORT = "List my trips"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if request.param == "sqlite":
        yield {}
    else:
        with temp_database() as url:
            yield {"database_url": url}


@asynccontextmanager
async def served(tmp_path: Path, backend: dict[str, Any]) -> AsyncIterator[tuple[Any, AgentClient]]:
    app = create_app(make_settings(tmp_path, **backend))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a", timeout=60) as h:
            yield app, AgentClient(h)


async def usage(app: Any, thread: str) -> ThreadUsage:
    return await thread_usage(app.state.runtime.persistence, thread)


async def test_stored_bytes_per_turn_stay_bounded(tmp_path: Path, backend: dict[str, Any]) -> None:
    thread = new_thread()
    async with served(tmp_path, backend) as (app, client):
        sizes = []
        for _ in range(TURNS):
            events = await client.run(thread, SHORT)
            assert events[-1]["type"] == "RUN_FINISHED", events[-1]
            found = await usage(app, thread)
            assert found.checkpoints == 1
            sizes.append(found.bytes)
        said = (await client.http.get(f"/threads/{thread}/history")).content
    history = json.loads(said)["items"]
    assert sum(1 for i in history if i.get("role") == "user") == TURNS  # nothing said is lost
    growth = [b - a for a, b in itertools.pairwise(sizes)]
    early = sum(growth[2:8]) / 6
    late = sum(growth[-10:]) / 10
    print(
        f"bytes per turn: turns 3-8 {early:.0f}, last 10 {late:.0f}; "
        f"stored {sizes[-1]} after turn 1 {sizes[0]}, conversation as JSON {len(said)}"
    )
    # Keeping every step's checkpoint makes each turn cost more than the one before (the
    # whole conversation again, several times); keeping one, each turn adds what it said.
    assert late <= 1.5 * early + 2048
    assert late <= 30_000
    assert sizes[-1] - sizes[0] <= 2 * len(said)


def todays_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """The storage as it was before pruning: one checkpoint per step, each with the whole
    conversation (no pruning, no older messages moved out)."""

    async def no_migration(*args: Any) -> None:
        return None

    async def keep_all(self: Any, thread_id: str, checkpoint: Any, new_versions: Any) -> Any:
        return checkpoint

    for saver in (PruningSqliteSaver, PruningPostgresSaver):
        monkeypatch.setattr(saver, "_prune", no_migration)
    monkeypatch.setattr(MessageStore, "move_older", keep_all)
    monkeypatch.setattr(persistence_module, "prune_all_once_sqlite", no_migration)
    monkeypatch.setattr(persistence_module, "prune_all_once_postgres", no_migration)
    monkeypatch.setattr(TravelAgent, "get_stream_kwargs", LangGraphAgent.get_stream_kwargs)


async def test_a_database_written_before_pruning_is_pruned_once_and_keeps_working(
    tmp_path: Path, backend: dict[str, Any]
) -> None:
    talked, pending = new_thread(), new_thread()
    with pytest.MonkeyPatch.context() as monkeypatch:
        todays_code(monkeypatch)
        async with served(tmp_path, backend) as (app, client):
            await client.run(talked, PLAN_TEXT)
            await client.approve(talked)
            for _ in range(5):
                await client.run(talked, SHORT)
            await client.run(pending, PLAN_TEXT)
            before = {t: await client.trips(t) for t in (talked, pending)}
            history = (await client.http.get(f"/threads/{talked}/history")).json()
            old = await usage(app, talked)
    assert old.checkpoints > 10  # one per step, as before
    assert before[pending]["pending_approval"] is not None

    async with served(tmp_path, backend) as (app, client):
        new = await usage(app, talked)
        assert new.checkpoints == 1
        assert new.bytes < old.bytes / 5
        assert (await usage(app, pending)).checkpoints == 1
        # Same trips, same conversation, the approval still pending and still answerable.
        assert {t: await client.trips(t) for t in (talked, pending)} == before
        assert (await client.http.get(f"/threads/{talked}/history")).json() == history
        events = await client.approve(pending)
        assert events[-1]["type"] == "RUN_FINISHED"
        assert len((await client.trips(pending))["trips"]) == 3
        events = await client.run(talked, SHORT)
        assert events[-1]["type"] == "RUN_FINISHED"
        assert (await usage(app, talked)).checkpoints == 1


async def test_a_pending_approval_survives_a_restart_after_pruning(
    tmp_path: Path, backend: dict[str, Any]
) -> None:
    thread = new_thread()
    async with served(tmp_path, backend) as (app, client):
        await client.run(thread, SHORT)
        await client.run(thread, PLAN_TEXT)
        before = await client.trips(thread)
        assert before["pending_approval"] is not None
        assert (await usage(app, thread)).checkpoints == 1
    async with served(tmp_path, backend) as (app, client):
        assert await client.trips(thread) == before
        events = await client.approve(thread)
        assert events[-1]["type"] == "RUN_FINISHED"
        after = await client.trips(thread)
        assert after["pending_approval"] is None
        assert len(after["trips"]) == 3
