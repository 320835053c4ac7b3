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
