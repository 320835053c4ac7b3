"""A thread stores what was said, not every step's copy of the whole conversation: its
stored bytes grow by about the same amount each turn, it keeps one checkpoint holding its
recent messages only (the older ones in the message store), and a database written before
pruning existed is pruned once when the new code opens it.

Sizes are logical bytes (the sum of the thread's row sizes), never timings."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from ag_ui_langgraph import LangGraphAgent
from langchain_core.messages import AIMessage, HumanMessage

from travel_agent import persistence as persistence_module
from travel_agent import persistence_postgres
from travel_agent.agui_agent import TravelAgent
from travel_agent.app import create_app
from travel_agent.checkpoint_pruning import PruningSqliteSaver
from travel_agent.checkpoint_pruning_postgres import PruningPostgresSaver
from travel_agent.storage_messages import MessageStore
from travel_agent.storage_usage import ThreadUsage, thread_usage

from agent_kit import PLAN_TEXT, AgentClient, make_settings, new_thread
from pg import temp_database

TURNS = 30
SHORT = "List my trips"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if request.param == "sqlite":
        yield {}
    else:
        with temp_database() as url:
            yield {"database_url": url}


@asynccontextmanager
async def served(
    tmp_path: Path, backend: dict[str, Any], **settings: Any
) -> AsyncIterator[tuple[Any, AgentClient]]:
    app = create_app(make_settings(tmp_path, **backend, **settings))
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
    monkeypatch.setattr(persistence_postgres, "prune_all_once_postgres", no_migration)
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


# ---------------------------------------------------------------- older messages
# A checkpoint keeps only the thread's recent messages; the older ones move to the message
# store (storage_messages), and every reader still sees the whole conversation, once and in
# order: /history, the run's MESSAGES_SNAPSHOT, a replay that shows only; a deletion
# removes them too.

KEEP = 4  # MAX_CONTEXT_MESSAGES: the messages a checkpoint keeps at least
TRAVELLER = "traveller-store-0001"


async def in_checkpoint(app: Any, thread: str) -> list[Any]:
    runtime = app.state.runtime
    snapshot = await runtime.graph.aget_state(runtime.config(thread))
    messages: list[Any] = snapshot.values.get("messages", [])
    return messages


async def history(client: AgentClient, thread: str) -> list[dict[str, Any]]:
    r = await client.http.get(f"/threads/{thread}/history")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def user_ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items if i.get("type", "message") == "message" and i["role"] == "user"]


def snapshot_of(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    (messages,) = [e["messages"] for e in events if e["type"] == "MESSAGES_SNAPSHOT"]
    return messages


async def test_older_messages_leave_the_checkpoint_and_every_reader_sees_them(
    tmp_path: Path, backend: dict[str, Any]
) -> None:
    thread = new_thread()
    async with served(tmp_path, backend, max_context_messages=KEEP) as (app, client):
        await client.run(thread, PLAN_TEXT)
        await client.approve(thread)
        for _ in range(8):
            events = await client.run(thread, "List my trips")
            assert events[-1]["type"] == "RUN_FINISHED"
            # Whole turns (no result without its call), at least KEEP messages, and no
            # more turns than that takes (the plan turn said six, a short turn says two).
            kept = await in_checkpoint(app, thread)
            assert isinstance(kept[0], HumanMessage)
            assert KEEP <= len(kept) <= KEEP + 6
        assert len(kept) <= KEEP + 2  # the plan turn is out, however long the thread gets
        items = await history(client, thread)
        said = user_ids(items)
        assert len(said) == 9 and len(set(said)) == 9

        # The run's snapshot is the whole conversation, once and in order (@ag-ui/client
        # drops whatever a snapshot leaves out).
        shown = snapshot_of(events)
        ids = [m["id"] for m in shown]
        assert len(ids) == len(set(ids))
        assert user_ids(shown) == said
        assert [i["id"] for i in items if i["type"] == "message"] == [
            m["id"] for m in shown if m["role"] in ("user", "assistant") and m.get("content")
        ]
        assert len(shown) > 2 * len(await in_checkpoint(app, thread))

        # A client replaying all of it with nothing new is shown the same conversation.
        replay = [
            {"id": m["id"], "role": m["role"], "content": m.get("content") or ""}
            for m in shown
            if m["role"] == "user"
        ]
        body = {"threadId": thread, "runId": f"r-{uuid.uuid4().hex[:8]}", "messages": replay}
        answer = await client.http.post("/copilotkit", json=body)
        assert answer.status_code == 200, answer.text
        events = [json.loads(x[5:]) for x in answer.text.split("\n") if x.startswith("data:")]
        assert snapshot_of(events) == shown
        assert await history(client, thread) == items

        # Deleting the conversation deletes its older messages too.
        http = client.http
        assert (
            await http.put(f"/travellers/{TRAVELLER}/conversations/{thread}")
        ).status_code == 204
        assert (
            await http.delete(f"/travellers/{TRAVELLER}/conversations/{thread}")
        ).status_code == 204
        assert await history(client, thread) == []
        store: MessageStore = app.state.runtime.persistence.messages
        assert await store.conversation(thread, []) == []


async def test_a_new_threads_first_turn_reads_no_older_messages(
    tmp_path: Path, backend: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread with no messages yet has none stored apart from its checkpoint: its first
    run looks none up (not the ids the client sent, nor for its MESSAGES_SNAPSHOT); its
    next runs show the whole conversation."""
    thread = new_thread()
    async with served(tmp_path, backend, max_context_messages=KEEP) as (app, client):
        store: MessageStore = app.state.runtime.persistence.messages
        reads: list[str] = []
        for name in ("_rows", "_by_ids"):
            original = getattr(store, name)

            async def spy(*args: Any, _name: str = name, _original: Any = original) -> Any:
                reads.append(_name)
                return await _original(*args)

            monkeypatch.setattr(store, name, spy)
        events = await client.run(thread, PLAN_TEXT)
        assert reads == []
        said = user_ids(snapshot_of(events))
        assert len(said) == 1
        await client.approve(thread)
        for turn in range(4):
            events = await client.run(thread, f"List my trips ({turn})")
            said.append(user_ids(snapshot_of(events))[-1])
            assert user_ids(snapshot_of(events)) == said
        assert len(await in_checkpoint(app, thread)) < len(snapshot_of(events))  # moved
        assert user_ids(await history(client, thread)) == said


async def test_a_thread_saved_whole_is_read_whole_and_moved_on_its_next_turn(
    tmp_path: Path, backend: dict[str, Any]
) -> None:
    """A thread written before the message store (its checkpoint holds everything)."""
    thread = new_thread()

    async def keep_all(self: Any, thread_id: str, checkpoint: Any, new_versions: Any) -> Any:
        return checkpoint

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(MessageStore, "move_older", keep_all)
        async with served(tmp_path, backend, max_context_messages=KEEP) as (app, client):
            for _ in range(6):
                await client.run(thread, "List my trips")
            before = await history(client, thread)
            assert len(await in_checkpoint(app, thread)) == 12

    async with served(tmp_path, backend, max_context_messages=KEEP) as (app, client):
        assert await history(client, thread) == before
        events = await client.run(thread, "List my trips")
        assert len(await in_checkpoint(app, thread)) <= KEEP + 2
        after = await history(client, thread)
        assert after[: len(before)] == before and len(user_ids(after)) == 7
        assert user_ids(snapshot_of(events)) == user_ids(after)


async def test_a_message_moved_twice_is_stored_and_shown_once(
    tmp_path: Path, backend: dict[str, Any]
) -> None:
    """A save that failed after moving the older messages leaves them in the last saved
    checkpoint too; the next save moves them again."""
    thread = new_thread()
    turns = [
        m
        for i in range(4)
        for m in (HumanMessage(content=f"q{i}", id=f"h{i}"), AIMessage(content=f"a{i}", id=f"a{i}"))
    ]
    async with served(tmp_path, backend, max_context_messages=KEEP) as (app, _):
        store: MessageStore = app.state.runtime.persistence.messages
        checkpoint: Any = {"channel_values": {"messages": turns}}
        kept = await store.move_older(thread, checkpoint, {"messages": 2})
        assert [m.id for m in kept["channel_values"]["messages"]] == ["h2", "a2", "h3", "a3"]
        await store.move_older(thread, checkpoint, {"messages": 3})  # the same again
        # Not written when the save does not write the messages channel.
        assert await store.move_older(thread, checkpoint, {"trips": 3}) is checkpoint
        whole = await store.conversation(thread, turns)  # the checkpoint that still has all
        assert [m.id for m in whole] == [m.id for m in turns]
        shown = await store.conversation(thread, turns[4:])
        assert [m.content for m in shown] == [m.content for m in turns]
        for recent in (turns[4:], turns):  # known to this process, or not (read)
            found = await store.find(thread, ["h0", "a1", "h3", "unknown"], recent)
            assert sorted(str(m.id) for m in found) == ["a1", "h0"]  # h3 is in the checkpoint


@pytest.mark.postgres
async def test_replicas_taking_turns_show_the_whole_conversation(tmp_path: Path) -> None:
    """Each replica knows what it moved itself; what another one moved it reads."""
    thread = new_thread()
    with temp_database() as url:
        backend = {"database_url": url}
        async with (
            served(tmp_path / "a", backend, max_context_messages=KEEP) as (_, a),
            served(tmp_path / "b", backend, max_context_messages=KEEP) as (
                _,
                b,
            ),
        ):
            said: list[str] = []
            for turn in range(10):
                client = (a, b)[turn % 3 % 2]  # a, b, a, a, b, a, ...
                events = await client.run(thread, f"List my trips ({turn})")
                said.append(user_ids(snapshot_of(events))[-1])
                assert user_ids(snapshot_of(events)) == said
                for reader in (a, b):
                    assert user_ids(await history(reader, thread)) == said
            # Deleted through one, written again through the other: the old is gone for both.
            assert (
                await a.http.put(f"/travellers/{TRAVELLER}/conversations/{thread}")
            ).status_code == 204
            assert (
                await a.http.delete(f"/travellers/{TRAVELLER}/conversations/{thread}")
            ).status_code == 204
            events = await b.run(thread, "List my trips")
            for reader in (a, b):
                assert user_ids(await history(reader, thread)) == user_ids(snapshot_of(events))
                assert len(user_ids(await history(reader, thread))) == 1
