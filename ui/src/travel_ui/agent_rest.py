"""The agent's REST API as the ui's handlers use it: JSON in, JSON out, sentences on error."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import HTTPException

from .agent_client import AgentClient, AgentUnavailable
from .markdown import render_markdown
from .metrics import Metrics

log = logging.getLogger(__name__)

UNAVAILABLE = "The planner is unavailable right now. Please try again in a moment."
COULD_NOT = "The planner could not do that. Please try again."


def segment(value: str) -> str:
    """A trip or place id as one URL path segment (no traversal into other agent routes)."""
    if value in (".", "..") or not value or len(value) > 128:
        raise HTTPException(422, "That id is not valid.")
    return quote(value, safe="")


def _sentence(status: int, body: Any) -> str:
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list) and detail:
        # FastAPI validation errors: name the first field that is wrong.
        first = detail[0] if isinstance(detail[0], dict) else {}
        field = next((str(p) for p in reversed(first.get("loc", [])) if isinstance(p, str)), "")
        message = str(first.get("msg", "is not valid"))
        return f"Please check the {field}: {message}." if field else f"{message}."
    if status == 404:
        return "That trip or place no longer exists."
    if status == 409:
        return "The planner is busy with this conversation. Please wait a moment."
    return COULD_NOT


async def call(
    agent: AgentClient,
    metrics: Metrics,
    method: str,
    path: str,
    *,
    json: Any = None,
) -> tuple[int, Any]:
    """Calls the agent; returns (status, body) on success, raises HTTPException otherwise."""
    response = await call_raw(agent, metrics, method, path, json=json)
    return response.status_code, _json(response)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


async def call_raw(
    agent: AgentClient,
    metrics: Metrics,
    method: str,
    path: str,
    *,
    json: Any = None,
) -> httpx.Response:
    """Like `call`, but the agent's answer as it came (for files that are not JSON)."""
    try:
        response = await agent.request(method, path, json=json)
    except AgentUnavailable as exc:
        metrics.agent_unavailable.inc()
        raise HTTPException(503, UNAVAILABLE) from exc
    if response.status_code == 401:
        log.error("the agent refused our token: check AGENT_API_TOKEN on both services")
        raise HTTPException(503, UNAVAILABLE)
    if response.status_code == 400:
        # The ui sends only JSON it made itself: an agent that cannot read it is our fault,
        # not the person's, so its sentence ("not valid JSON") is not passed on.
        log.error("the agent could not read our request body", extra={"path": path})
        raise HTTPException(502, COULD_NOT)
    if response.status_code >= 400:
        status = response.status_code if response.status_code in (404, 409, 413, 422) else 502
        if response.status_code >= 500:
            log.warning("agent error", extra={"status": response.status_code, "path": path})
            status = 503
        raise HTTPException(status, _sentence(response.status_code, _json(response)))
    return response


async def record_conversation(
    agent: AgentClient, metrics: Metrics, traveller: str, thread: str
) -> None:
    """Tells the agent this thread is the traveller's (and their most recent)."""
    await call(agent, metrics, "PUT", f"/travellers/{traveller}/conversations/{thread}")


def public_state(body: Any) -> dict[str, Any]:
    """The trips body without the thread id: page scripts never learn it."""
    if not isinstance(body, dict):
        return {"trips": [], "selected_trip_id": None, "pending_approval": None}
    return {
        "trips": body.get("trips") or [],
        "selected_trip_id": body.get("selected_trip_id"),
        "pending_approval": body.get("pending_approval"),
    }


def rendered_history(body: Any) -> list[dict[str, Any]]:
    """History items, assistant messages with their Markdown rendered to safe HTML."""
    items = body.get("items") if isinstance(body, dict) else None
    result: list[dict[str, Any]] = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        if item.get("type") == "message" and item.get("role") == "assistant":
            content = item.get("content")
            item = {**item, "html": render_markdown(content if isinstance(content, str) else "")}
        result.append(item)
    return result
