"""A replica killed (SIGKILL) in the middle of a streaming turn, with two PostgreSQL-backed
agent replicas behind one ui: the person gets a RUN_ERROR with a sentence from the ui, the
trips are as they were, the same message sent again is answered by the other replica, and
the killed replica, restarted on its port, serves again.

The turn is made slow honestly: the agents use the OpenAI provider against a local
OpenAI-compatible server that streams its first words at once and the rest only when the
test releases it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.system.system_stack import (
    BROKE_OFF,
    Person,
    Proc,
    start_all,
    text_of,
    trips_summary,
    two_replicas,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MESSAGE = "Which of these places should I see first?"
REPLY = "Here is the rest of my answer."  # the slow server's whole reply


@pytest.fixture
def slow_llm() -> Iterator[Any]:
    from slow_openai import SlowChatServer

    with SlowChatServer(first="Here is ", rest="the rest of my answer.") as server:
        yield server


@pytest.fixture
def topology(tmp_path: Path, slow_llm: Any) -> Iterator[tuple[Proc, Proc, Proc]]:
    common = {
        "LLM_PROVIDER": "openai",
        "OPENAI_BASE_URL": slow_llm.url,
        "OPENAI_API_KEY": "sk-midstream-test",
    }
    with two_replicas(tmp_path, common) as procs:
        yield procs


async def test_a_turn_cut_mid_stream_ends_with_a_sentence_and_can_be_sent_again(
    topology: tuple[Proc, Proc, Proc], slow_llm: Any
) -> None:
    a, b, ui = topology
    person = Person(ui.url, 0)
    try:
        await person.open_page()
        # What the person made by hand: it must come through untouched.
        state = await person.state()
        await person.add_place("1", {"name": "Corner cafe", "latitude": 40.75, "longitude": -73.99})
        second = state["trips"][1]
        await person.edit_place(
            second["id"], second["places"][0]["id"], {"description": "At sunset"}
        )
        before = trips_summary(await person.state())

        seen: list[dict[str, Any]] = []
        async with person.open_stream("/api/chat", {"message": MESSAGE}) as events:
            async for event in events:
                seen.append(event)
                if event["type"] == "TEXT_MESSAGE_CONTENT":
                    break  # the reply is streaming: the run is in flight on one replica
            serving = [r for r in (a, b) if r.metric("travel_active_streams") == 1]
            assert len(serving) == 1
            victim = serving[0]
            survivor = b if victim is a else a
            victim.kill()
            async for event in events:
                seen.append(event)

        assert text_of(seen) == "Here is "
        assert seen[-1] == {"type": "RUN_ERROR", "message": BROKE_OFF, "code": "stream_broken"}
        assert trips_summary(await person.state()) == before
        assert ui.metric("travel_ui_streams_total", outcome="broken") == 1

        # Sent again, it is answered (by the survivor): the dead replica's hold on the
        # thread went with its database connection, so the thread is not stuck "busy".
        slow_llm.release()
        again = await person.chat(MESSAGE)
        assert again[-1]["type"] == "RUN_FINISHED"
        assert text_of(again) == REPLY
        assert survivor.metric("travel_agent_runs_total", outcome="finished") == 1
        assert trips_summary(await person.state()) == before
        history = await person.history()
        replies = [i["content"] for i in history if i.get("role") == "assistant"]
        assert replies[-1] == REPLY
        # The cut reply was not kept half-written.
        assert not any(r.startswith("Here is") for r in replies[:-1])

        # The killed replica comes back on its port and serves its share again.
        start_all([victim])
        for _ in range(4):
            events = await person.chat("Thanks, and after that?")
            assert events[-1]["type"] == "RUN_FINISHED"
        assert victim.metric("travel_agent_runs_total", outcome="finished") > 0
        assert trips_summary(await person.state()) == before
    finally:
        await person.aclose()
