"""The logs of a whole run through the ui and the agent (real processes, LOG_LEVEL=info):
JSON lines with the ui's request id carried to the agent, thread ids, events; and never
the signing key, the agent token, the session cookie or what the person typed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.system.system_stack import Person, agent_proc, start_all, ui_proc

pytestmark = pytest.mark.slow

SECRET_KEY = "ui-signing-key-SECRET-4417"
TOKEN = "agent-token-SECRET-9921"
MARKER = "Zanzibar-7f3a91"  # in every text the person types


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_a_full_run_logs_ids_and_events_but_no_secrets(tmp_path: Path) -> None:
    agent = agent_proc(tmp_path, "agent", AGENT_API_TOKEN=TOKEN)
    ui = ui_proc(tmp_path, [agent], AGENT_API_TOKEN=TOKEN, UI_SECRET_KEY=SECRET_KEY)
    start_all([agent], ui)
    person = Person(ui.url, 7)
    try:
        person.http.headers["X-Request-ID"] = "sys-page-1"
        await person.open_page()
        person.http.headers["X-Request-ID"] = "sys-plan-1"
        planned = await person.chat(f"Plan a 2-day trip to Rome. {MARKER}")
        interrupt = planned[-1]["outcome"]["interrupts"][0]
        person.http.headers["X-Request-ID"] = "sys-approve-1"
        await person.approve(interrupt["id"])
        trip_id = (await person.state())["trips"][-1]["id"]
        person.http.headers["X-Request-ID"] = "sys-edit-1"
        added = await person.add_place(
            trip_id, {"name": f"Cafe {MARKER}", "latitude": 41.9, "longitude": 12.5}
        )
        await person.edit_place(trip_id, added["id"], {"description": f"Quiet {MARKER}"})
        deleted = await person.http.delete(
            f"/api/trips/{trip_id}/places/{added['id']}", headers=person.headers()
        )
        assert deleted.status_code == 204
        await person.history()
        # Refusals log too, and must not carry the input either.
        too_long = await person.http.post(
            "/api/chat", json={"message": MARKER * 1000}, headers=person.headers()
        )
        assert too_long.status_code == 422
        bad = await person.http.post(
            "/api/trips/1/places",
            json={"name": MARKER, "latitude": 500, "longitude": 0},
            headers=person.headers(),
        )
        assert bad.status_code == 422
        forged = await person.http.post(
            "/api/chat", json={"message": MARKER}, headers={"X-CSRF-Token": MARKER}
        )
        assert forged.status_code == 403
        cookie = person.http.cookies["travel_thread"]
        thread_id = cookie.rpartition(".")[0].partition(":")[0]
        async with httpx.AsyncClient(base_url=agent.url) as direct:
            refused = await direct.get(
                f"/threads/{thread_id}/trips", headers={"Authorization": f"Bearer {MARKER}"}
            )
            assert refused.status_code == 401
        person.http.headers["X-Request-ID"] = "sys-new-1"
        new = await person.http.post("/api/new-conversation", json={}, headers=person.headers())
        assert new.status_code == 200
        new_cookie = person.http.cookies["travel_thread"]
    finally:
        await person.aclose()
        ui.stop()
        agent.stop()

    ui_raw, agent_raw = ui.log_path.read_text(), agent.log_path.read_text()
    signature = cookie.rpartition(".")[2]
    for secret in (SECRET_KEY, TOKEN, cookie, signature, new_cookie, MARKER):
        assert secret not in ui_raw, f"{secret!r} appears in the ui's log"
        assert secret not in agent_raw, f"{secret!r} appears in the agent's log"

    ui_lines, agent_lines = lines_of(ui.log_path), lines_of(agent.log_path)
    for line in ui_lines + agent_lines:
        assert {"ts", "level", "logger", "event"} <= line.keys(), line

    # One request id follows a turn through both services, with the thread id.
    def with_id(lines: list[dict[str, Any]], request_id: str, event: str) -> dict[str, Any]:
        return next(x for x in lines if x.get("request_id") == request_id and x["event"] == event)

    plan_ui = with_id(ui_lines, "sys-plan-1", "stream ended")
    assert plan_ui["thread_id"] == thread_id and plan_ui["outcome"] == "interrupted"
    request = with_id(ui_lines, "sys-plan-1", "request")
    assert request["route"] == "/api/chat" and request["status"] == 200
    assert request["thread_id"] == thread_id
    plan_agent = with_id(agent_lines, "sys-plan-1", "run ended")
    assert plan_agent["thread_id"] == thread_id and plan_agent["outcome"] == "interrupted"
    approve_agent = with_id(agent_lines, "sys-approve-1", "run ended")
    assert approve_agent["outcome"] == "finished"
    edits = [x for x in agent_lines if x.get("request_id") == "sys-edit-1"]
    assert {x["method"] for x in edits if x["event"] == "request"} >= {"POST", "PATCH", "DELETE"}
    page = [x for x in agent_lines if x.get("request_id") == "sys-page-1"]
    assert {x["route"] for x in page if x["event"] == "request"} >= {
        "/threads/{thread_id}/trips",
        "/threads/{thread_id}/history",
    }
    # The refusals are there, by status.
    statuses = {x["status"] for x in ui_lines if x["event"] == "request"}
    assert {200, 201, 204, 403, 422} <= statuses
    assert any(x["event"] == "request" and x["status"] == 401 for x in agent_lines)
