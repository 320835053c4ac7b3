"""Two PostgreSQL-backed agent replicas behind one ui (REMOTE_ACTION_URL lists both): the
topology of the `ha` overlay, as real processes on 127.0.0.1. Replicas are killed with
SIGKILL between turns; conversations go on through the other one, nothing approved is
lost or doubled, and a killed replica restarted on its port serves again."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.system.system_stack import (
    CITIES,
    PLAN,
    Person,
    Proc,
    start_all,
    trips_summary,
    two_replicas,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TOKEN = "failover-agent-token-5b1f0c"
PEOPLE = 10
Places = list[tuple[str, str, str]]


@dataclass
class Conversation:
    """One person's conversation and what its trips must be: the demo trips as first
    shown, then exactly what was approved or edited."""

    person: Person
    index: int
    expected: dict[str, Places] = field(default_factory=dict)
    turns: int = 0

    async def start(self) -> None:
        await self.person.open_page()
        self.expected = trips_summary(await self.person.state())

    async def plan_and_approve(self) -> None:
        city = CITIES[(self.index + self.turns) % len(CITIES)]
        self.turns += 1
        events = await self.person.chat(PLAN.format(city=city))
        last = events[-1]
        assert last["type"] == "RUN_FINISHED", last
        interrupt = last["outcome"]["interrupts"][0]
        after = interrupt["metadata"]["langgraph"]["raw"]["changes"][0]["after"]
        proposed = [p["id"] for p in after["places"]]
        # Every other turn approves only some of the proposed places.
        chosen = proposed[:2] if self.turns % 2 == 0 and len(proposed) > 2 else None
        resumed = await self.person.approve(interrupt["id"], chosen)
        assert resumed[-1]["type"] == "RUN_FINISHED" and not resumed[-1].get("outcome")
        kept = chosen or proposed
        self.expected[after["id"]] = [
            (p["id"], p["name"], p.get("description") or "")
            for p in after["places"]
            if p["id"] in kept
        ]

    async def edit_a_place(self) -> None:
        trip_id = list(self.expected)[-1]
        place_id, name, _ = self.expected[trip_id][0]
        note = f"note {self.index}-{self.turns}"
        edited = await self.person.edit_place(trip_id, place_id, {"description": note})
        assert edited["description"] == note
        self.expected[trip_id][0] = (place_id, name, note)

    async def add_a_place(self) -> None:
        trip_id = list(self.expected)[-1]
        name = f"Corner cafe {self.index}-{self.turns}"
        place = {"name": name, "latitude": 41.9, "longitude": 12.5, "description": "by hand"}
        added = await self.person.add_place(trip_id, place)
        self.expected[trip_id].append((added["id"], name, "by hand"))

    async def reload_and_check(self) -> None:
        await self.person.open_page()
        assert trips_summary(await self.person.state()) == self.expected


async def each(conversations: list[Conversation], *steps: str) -> None:
    """Every person takes the steps, all people at once (as many browsers would)."""

    async def one(c: Conversation) -> None:
        for step in steps:
            await getattr(c, step)()

    await asyncio.gather(*(one(c) for c in conversations))


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[tuple[Proc, Proc, Proc]]:
    with two_replicas(tmp_path, {"AGENT_API_TOKEN": TOKEN}, AGENT_API_TOKEN=TOKEN) as procs:
        yield procs


async def test_conversations_survive_replicas_killed_between_turns(
    topology: tuple[Proc, Proc, Proc],
) -> None:
    a, b, ui = topology
    people = [Person(ui.url, i) for i in range(PEOPLE)]
    conversations = [Conversation(p, i) for i, p in enumerate(people)]
    try:
        # Both replicas serve; the ui's round-robin spreads the runs over them.
        await each(conversations, "start", "plan_and_approve", "edit_a_place", "reload_and_check")
        assert a.metric("travel_agent_runs_total") > 0
        assert b.metric("travel_agent_runs_total") > 0

        a.kill()
        await each(
            conversations, "reload_and_check", "plan_and_approve", "add_a_place", "reload_and_check"
        )

        # The killed replica comes back on its port and takes its share again.
        start_all([a])
        await each(conversations, "plan_and_approve", "edit_a_place", "reload_and_check")
        assert a.metric("travel_agent_runs_total") > 0  # a new process: counted since restart

        b.kill()
        await each(conversations, "reload_and_check", "plan_and_approve", "reload_and_check")
        start_all([b])

        # Nobody saw an error: every failover happened before anything was streamed.
        assert ui.metric("travel_ui_streams_total", outcome="broken") == 0
        assert ui.metric("travel_ui_streams_total", outcome="unavailable") == 0
        assert ui.metric("travel_ui_agent_unavailable_total") == 0
        assert ui.metric("http_request_duration_seconds_count", status="503") == 0
        assert ui.metric("travel_ui_streams_total", outcome="finished") == 4 * PEOPLE

        # Both replicas read the same stored state for every thread (as the ui never
        # tells anyone a thread id, read it from the cookie the ui signed).
        auth = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(timeout=30) as direct:
            for c in conversations:
                thread_id = (
                    c.person.http.cookies["travel_thread"].rpartition(".")[0].partition(":")[0]
                )
                for replica in (a, b):
                    url = f"{replica.url}/threads/{thread_id}/trips"
                    answer = await direct.get(url, headers=auth)
                    assert answer.status_code == 200
                    state: dict[str, Any] = answer.json()
                    assert trips_summary(state) == c.expected, replica.name
                    assert state["pending_approval"] is None
                assert len(c.expected) == 2 + c.turns  # the demo trips and one per plan

            # Defence in depth: the agents refuse anyone without the ui's token.
            for replica in (a, b):
                refused = await direct.get(f"{replica.url}/threads/t-anyone-1/trips")
                assert refused.status_code == 401
    finally:
        for p in people:
            await p.aclose()
