"""Relays one AG-UI run from the agent to the browser.

Events pass through unchanged (each as its JSON text). The relay adds one CUSTOM event
per finished assistant message carrying its Markdown rendered to sanitised HTML, so the
browser never has to parse Markdown, and it guarantees the stream ends with RUN_FINISHED
or RUN_ERROR even when the agent is unreachable or breaks off.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

from .agent_client import AgentClient, AgentUnavailable
from .markdown import render_markdown
from .metrics import Metrics

log = logging.getLogger(__name__)

MARKDOWN_EVENT = "travel_ui.markdown"
UNAVAILABLE = "The planner is unavailable right now. Please try again in a moment."
BROKE_OFF = "The connection to the planner broke off in the middle of a reply. Please try again."
TERMINAL = ("RUN_FINISHED", "RUN_ERROR")


# How a relayed stream ended, from its last event (the `outcome` label of
# travel_ui_streams_total and of the "stream ended" log line).
_UI_CODES = {
    "agent_unavailable": "unavailable",
    "stream_broken": "broken",
    "stream_incomplete": "broken",
}


def stream_outcome(last_event: str | None) -> str:
    """finished | interrupted | error (the agent's RUN_ERROR) | refused (the agent did not
    take the run) | unavailable (no agent answered) | broken (cut off mid-stream) |
    cancelled (the browser went away first)."""
    try:
        event = json.loads(last_event) if last_event else None
    except ValueError:
        event = None
    if not isinstance(event, dict) or event.get("type") not in TERMINAL:
        return "cancelled"
    if event["type"] == "RUN_FINISHED":
        outcome = event.get("outcome")
        interrupted = isinstance(outcome, dict) and outcome.get("type") == "interrupt"
        return "interrupted" if interrupted else "finished"
    code = str(event.get("code") or "")
    if code.startswith("agent_http_"):
        return "refused"
    return _UI_CODES.get(code, "error")


def run_error(message: str, code: str) -> str:
    return json.dumps({"type": "RUN_ERROR", "message": message, "code": code})


def _markdown_event(message_id: str, text: str) -> str:
    return json.dumps(
        {
            "type": "CUSTOM",
            "name": MARKDOWN_EVENT,
            "value": {"messageId": message_id, "html": render_markdown(text)},
        }
    )


async def error_detail(response: httpx.Response) -> str:
    """The agent's sentence for a person from an error response, or a generic one."""
    try:
        body = json.loads(await response.aread())
    except ValueError:
        body = None
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("message")
        if isinstance(detail, str) and detail:
            return detail
    if response.status_code == 409:
        return "The planner is still busy with this conversation. Please wait a moment."
    return "The planner could not take this request. Please try again."


async def relay_run(
    agent: AgentClient, body: dict[str, Any], metrics: Metrics
) -> AsyncIterator[str]:
    """Yields the JSON text of each event for the browser, ending with a terminal event."""
    try:
        async with agent.run(body) as response:
            if response.status_code != 200:
                detail = await error_detail(response)
                log.warning("agent refused the run", extra={"status": response.status_code})
                yield run_error(detail, f"agent_http_{response.status_code}")
                return
            async for text in _relay_events(response):
                yield text
    except AgentUnavailable:
        metrics.agent_unavailable.inc()
        yield run_error(UNAVAILABLE, "agent_unavailable")
    except (httpx.HTTPError, SSEError) as exc:
        log.warning("agent stream broke off", extra={"error": repr(exc)})
        yield run_error(BROKE_OFF, "stream_broken")


async def _relay_events(response: httpx.Response) -> AsyncIterator[str]:
    texts: dict[str, list[str]] = {}  # assistant messages still streaming, by id
    async for sse in EventSource(response).aiter_sse():
        if not sse.data:
            continue
        try:
            event = json.loads(sse.data)
        except ValueError:
            log.warning("agent sent an event that is not JSON; skipped")
            continue
        kind = event.get("type") if isinstance(event, dict) else None
        message_id = event.get("messageId") if isinstance(event, dict) else None

        if kind in TERMINAL:
            # Messages that never got an END (chunk-style streams) are rendered now.
            for pending_id, parts in texts.items():
                yield _markdown_event(pending_id, "".join(parts))
            texts.clear()
        yield sse.data

        if kind == "TEXT_MESSAGE_START" and isinstance(message_id, str):
            texts[message_id] = []
        elif kind in ("TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_CHUNK") and isinstance(message_id, str):
            delta = event.get("delta")
            if isinstance(delta, str):
                texts.setdefault(message_id, []).append(delta)
        elif kind == "TEXT_MESSAGE_END" and isinstance(message_id, str):
            yield _markdown_event(message_id, "".join(texts.pop(message_id, [])))
        elif kind in TERMINAL:
            if kind == "RUN_ERROR":
                log.warning("agent run failed", extra={"code": event.get("code")})
            return
    yield run_error(BROKE_OFF, "stream_incomplete")
