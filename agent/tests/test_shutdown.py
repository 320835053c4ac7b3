"""Graceful shutdown of a real agent process: SIGTERM while a run streams from a slow LLM."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from travel_agent import errors

from agent_kit import AgentClient, new_thread, text_of
from live import AgentProcess
from slow_openai import SlowChatServer


def run_body(thread: str, text: str) -> dict[str, Any]:
    return {
        "threadId": thread,
        "runId": f"run-{thread[-6:]}",
        "messages": [{"id": f"m-{thread[-8:]}", "role": "user", "content": text}],
        "state": {},
        "tools": [],
        "context": [],
        "forwardedProps": {},
    }


async def events_until(lines: Any, stop: str) -> list[dict[str, Any]]:
    """Read SSE events until one of type `stop` (inclusive) or the end of the stream."""
    events: list[dict[str, Any]] = []
    async for line in lines:
        if line.startswith("data:"):
            events.append(json.loads(line[5:]))
            if events[-1]["type"] == stop:
                break
    return events


async def wait_not_ready(http: httpx.AsyncClient) -> httpx.Response:
    for _ in range(100):  # the signal is handled on the server's next loop turn
        r = await http.get("/readyz")
        if r.status_code == 503:
            return r
        await asyncio.sleep(0.05)
    raise AssertionError("readiness never turned 503 after SIGTERM")


async def a_client_leaving_mid_run_is_counted_as_cancelled(http: httpx.AsyncClient) -> None:
    """The stop button: the client drops the stream; the run is cancelled, the stream
    gauge goes back down and the conversation is free again."""
    thread = new_thread()
    async with http.stream("POST", "/copilotkit", json=run_body(thread, "Hi")) as stream:
        await events_until(stream.aiter_lines(), "TEXT_MESSAGE_CONTENT")
    for _ in range(100):
        found = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families((await http.get("/metrics")).text)
            for s in family.samples
        }
        if found.get(("travel_agent_runs_total", (("outcome", "cancelled"),))) == 1:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the dropped run was never counted as cancelled")
    assert found[("travel_active_streams", ())] == 0
    edit = await http.put(f"/threads/{thread}/selected-trip", json={"trip_id": "2"})
    assert edit.status_code == 200  # the thread's lock was released


def agent_env(tmp_path: Path, llm: SlowChatServer, grace: float) -> dict[str, str]:
    return {
        "DATA_DIR": str(tmp_path / "data"),
        "LLM_PROVIDER": "openai",
        "OPENAI_BASE_URL": llm.url,
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "LLM_MAX_RETRIES": "0",
        "SHUTDOWN_GRACE_SECONDS": str(grace),
    }


@pytest.mark.slow
async def test_sigterm_lets_the_run_in_flight_finish_and_exits_0(tmp_path: Path) -> None:
    thread, late = new_thread(), new_thread()
    with SlowChatServer() as llm:
        agent = AgentProcess(agent_env(tmp_path, llm, 30), tmp_path / "agent.log")
        with agent:
            async with httpx.AsyncClient(base_url=agent.url, timeout=30) as http:
                await a_client_leaving_mid_run_is_counted_as_cancelled(http)
                body = run_body(thread, "Hello there")
                async with http.stream("POST", "/copilotkit", json=body) as stream:
                    assert stream.status_code == 200
                    lines = stream.aiter_lines()
                    head = await events_until(lines, "TEXT_MESSAGE_CONTENT")
                    assert head[-1]["delta"] == "Here is "

                    assert agent.proc is not None
                    agent.proc.send_signal(signal.SIGTERM)
                    ready = await wait_not_ready(http)
                    assert ready.json()["reason"] == "shutting down"
                    refused = await http.post("/copilotkit", json=run_body(late, "Hi"))
                    assert refused.status_code == 503
                    assert refused.json()["detail"] == errors.SHUTTING_DOWN
                    # Still serving the run in flight: the process waits for it.
                    assert agent.proc.poll() is None

                    llm.release()
                    tail = await events_until(lines, "RUN_FINISHED")
            code = agent.proc.wait(timeout=30)
    assert code == 0
    assert text_of(head + tail) == "Here is the rest of my answer."
    assert tail[-1]["type"] == "RUN_FINISHED"
    log = (tmp_path / "agent.log").read_text()
    assert "drained; stopping" in log

    # The finished run was stored: a new process on the same data has the answer.
    with AgentProcess({"DATA_DIR": str(tmp_path / "data")}, tmp_path / "agent2.log") as again:
        async with httpx.AsyncClient(base_url=again.url, timeout=30) as http:
            items = (await http.get(f"/threads/{thread}/history")).json()["items"]
            refused_thread = await AgentClient(http).trips(late)
    assert [i["content"] for i in items] == ["Hello there", "Here is the rest of my answer."]
    assert refused_thread["pending_approval"] is None


@pytest.mark.slow
async def test_a_run_longer_than_the_grace_period_ends_with_a_clear_error(
    tmp_path: Path,
) -> None:
    with SlowChatServer() as llm:
        agent = AgentProcess(agent_env(tmp_path, llm, 1), tmp_path / "agent.log")
        with agent:
            async with httpx.AsyncClient(base_url=agent.url, timeout=30) as http:
                body = run_body(new_thread(), "Hello there")
                async with http.stream("POST", "/copilotkit", json=body) as stream:
                    lines = stream.aiter_lines()
                    await events_until(lines, "TEXT_MESSAGE_CONTENT")
                    assert agent.proc is not None
                    signalled = time.monotonic()
                    agent.proc.send_signal(signal.SIGTERM)
                    tail = await events_until(lines, "RUN_ERROR")  # never released
            code = agent.proc.wait(timeout=30)
            waited = time.monotonic() - signalled
    assert tail[-1]["type"] == "RUN_ERROR"
    assert tail[-1]["message"] == errors.SHUTTING_DOWN
    assert code == 0
    assert waited >= 1  # it did wait for the grace period (a lower bound only)
    assert "grace period over; stopping runs in flight" in (tmp_path / "agent.log").read_text()


def test_a_service_that_cannot_start_exits_non_zero(tmp_path: Path) -> None:
    with socket.socket() as taken:  # the port is in use: binding fails
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        agent = AgentProcess(
            {"DATA_DIR": str(tmp_path / "data"), "PORT": str(busy)}, tmp_path / "agent.log"
        )
        with pytest.raises(RuntimeError, match="agent exited"):
            agent.start(timeout=120)  # a loaded machine imports slowly
        assert agent.proc is not None
        assert agent.proc.wait(timeout=10) != 0


def test_invalid_settings_exit_2_with_a_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from travel_agent.main import main
    from travel_agent.settings import get_settings

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("PORT", "0")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:not-shown-secret@db/x")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        get_settings.cache_clear()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("travel-agent: invalid settings: PORT: Input should be greater")
    assert "not-shown-secret" not in err
