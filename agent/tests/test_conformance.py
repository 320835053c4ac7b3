"""AG-UI conformance: the runs pass ag-ui-validate with zero errors."""

from __future__ import annotations

from ag_ui_validate.pytest_plugin import validate_agui

from agent_kit import PLAN_TEXT, AgentClient, new_thread

FEATURES = ["agentic-chat", "backend-tool-rendering", "human-in-the-loop", "shared-state"]


def assert_conformant(events: list[dict]) -> None:
    report = validate_agui(events, features=FEATURES)
    problems = [d for d in report.diagnostics if d.severity == "error"]
    assert report.summary.errors == 0, problems
    assert report.internal_errors == []
    assert report.event_count == len(events)


async def test_plain_chat_turn_conforms(client: AgentClient) -> None:
    events = await client.run(new_thread(), "List my trips")
    assert any(e["type"] == "TEXT_MESSAGE_CONTENT" for e in events)
    assert_conformant(events)


async def test_search_and_propose_turn_ending_in_interrupt_conforms(client: AgentClient) -> None:
    events = await client.run(new_thread(), PLAN_TEXT)
    assert events[-1]["outcome"]["type"] == "interrupt"
    assert_conformant(events)


async def test_resume_run_conforms(client: AgentClient) -> None:
    thread = new_thread()
    await client.run(thread, PLAN_TEXT)
    events = await client.approve(thread)
    assert events[-1]["type"] == "RUN_FINISHED"
    assert_conformant(events)


async def test_the_validator_catches_a_broken_stream(client: AgentClient) -> None:
    events = await client.run(new_thread(), "List my trips")
    broken = [e for e in events if e["type"] != "RUN_STARTED"]  # a stream must open with it
    assert validate_agui(broken).summary.errors > 0


async def test_tool_results_are_sent_before_what_follows_and_match_the_snapshot(
    client: AgentClient,
) -> None:
    thread = new_thread()
    proposing = await client.run(thread, PLAN_TEXT)
    approved = await client.approve(thread)
    for events in (proposing, approved):
        assert_conformant(events)
        results = [e for e in events if e["type"] == "TOOL_CALL_RESULT"]
        started = {e["toolCallId"] for e in events if e["type"] == "TOOL_CALL_START"}
        # Each call this run made and finished gets its result (the proposal's call,
        # started before the approval, is finished by the resume run: it is in the
        # snapshot, as a result without its start in the same stream is not valid AG-UI).
        assert {r["toolCallId"] for r in results} == started - {interrupted(proposing)}
        snapshot = [e for e in events if e["type"] == "MESSAGES_SNAPSHOT"][-1]["messages"]
        stored = {m["id"]: m for m in snapshot if m["role"] == "tool"}
        for result in results:
            assert stored[result["messageId"]]["toolCallId"] == result["toolCallId"]
            assert stored[result["messageId"]]["content"] == result["content"]
    # The search's result comes before the proposal's call is made.
    types = [e["type"] for e in proposing]
    assert types.index("TOOL_CALL_RESULT") < len(types) - 1 - types[::-1].index("TOOL_CALL_START")


def interrupted(events: list[dict]) -> str:
    (interrupt,) = events[-1]["outcome"]["interrupts"]
    call_id: str = interrupt["toolCallId"]
    return call_id


async def test_interrupts_go_out_only_as_the_run_outcome(client: AgentClient) -> None:
    events = await client.run(new_thread(), PLAN_TEXT)
    assert not [e for e in events if e["type"] == "CUSTOM" and e["name"] == "on_interrupt"]
    (interrupt,) = events[-1]["outcome"]["interrupts"]
    assert interrupt["id"]
