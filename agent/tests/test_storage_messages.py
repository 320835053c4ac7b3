"""A thread's checkpoint keeps only its recent messages; the older ones move to the message
store (storage_messages), and every reader still sees the whole conversation, once and in
order: /history, the run's MESSAGES_SNAPSHOT, a replay that shows only, and a deletion
removes them too. On SQLite and PostgreSQL; sizes and counts, never timings."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage

from travel_agent.app import create_app
from travel_agent.storage_messages import MessageStore

from agent_kit import PLAN_TEXT, AgentClient, make_settings, new_thread
from pg import temp_database

KEEP = 4  # MAX_CONTEXT_MESSAGES: the messages a checkpoint keeps at least
TRAVELLER = "traveller-store-0001"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    if request.param == "sqlite":
        yield {}
    else:
        with temp_database() as url:
            yield {"database_url": url}


@asynccontextmanager
async def served(tmp_path: Path, backend: dict[str, Any]) -> AsyncIterator[tuple[Any, AgentClient]]:
    app = create_app(make_settings(tmp_path, max_context_messages=KEEP, **backend))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://a", timeout=60) as h:
            yield app, AgentClient(h)


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
    async with served(tmp_path, backend) as (app, client):
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


async def test_a_thread_saved_whole_is_read_whole_and_moved_on_its_next_turn(
    tmp_path: Path, backend: dict[str, Any]
) -> None:
    """A thread written before the message store (its checkpoint holds everything)."""
    thread = new_thread()

    async def keep_all(self: Any, thread_id: str, checkpoint: Any, new_versions: Any) -> Any:
        return checkpoint

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(MessageStore, "move_older", keep_all)
        async with served(tmp_path, backend) as (app, client):
            for _ in range(6):
                await client.run(thread, "List my trips")
            before = await history(client, thread)
            assert len(await in_checkpoint(app, thread)) == 12

    async with served(tmp_path, backend) as (app, client):
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
    async with served(tmp_path, backend) as (app, _):
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
        found = await store.find(thread, ["h0", "a1", "h3", "unknown"])
        assert sorted(str(m.id) for m in found) == ["a1", "h0"]  # h3 is in the checkpoint


@pytest.mark.postgres
async def test_replicas_taking_turns_show_the_whole_conversation(tmp_path: Path) -> None:
    """Each replica knows what it moved itself; what another one moved it reads."""
    thread = new_thread()
    with temp_database() as url:
        backend = {"database_url": url}
        async with (
            served(tmp_path / "a", backend) as (_, a),
            served(tmp_path / "b", backend) as (
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
