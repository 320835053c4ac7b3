"""The browser's list of this traveller's conversations: reopen, rename, delete.

The agent keeps which threads are the traveller's; the page names a conversation by an
opaque key (a signature of its thread id), so page scripts still never see thread ids.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from . import agent_rest
from .api_contract import NO_CONTENT, NewConversationOut, problems
from .forward import ChangingTraveller, ReadingTraveller, ThreadAgent, TravellerAgent

router = APIRouter(prefix="/api/conversations")

Key = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
NOT_LISTED = "That conversation is no longer in your list."
CURRENT = "This is the conversation you are in: open another one first."


class ConversationItem(BaseModel):
    key: str
    title: str | None
    trip_names: list[str]
    updated_at: float
    current: bool


class ConversationsOut(BaseModel):
    items: list[ConversationItem]


class RenameIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    title: str | None = Field(default=None, max_length=120)


async def _listed(agent: TravellerAgent) -> list[dict[str, Any]]:
    body = await agent.conversations("GET")
    items = body.get("items") if isinstance(body, dict) else None
    return [i for i in items or [] if isinstance(i, dict) and isinstance(i.get("thread_id"), str)]


async def _thread_for(agent: TravellerAgent, key: str) -> str:
    for item in await _listed(agent):
        if agent.ctx.sessions.conversation_key(item["thread_id"]) == key:
            thread: str = item["thread_id"]
            return thread
    raise HTTPException(404, NOT_LISTED)


@router.get("", responses={200: {"model": ConversationsOut}, **problems(401, 503)})
async def list_conversations(agent: ReadingTraveller) -> dict[str, Any]:
    items = [
        {
            "key": agent.ctx.sessions.conversation_key(item["thread_id"]),
            "title": item.get("title"),
            "trip_names": item.get("trip_names") or [],
            "updated_at": item.get("updated_at") or 0,
            "current": item["thread_id"] == agent.thread,
        }
        for item in await _listed(agent)
    ]
    return {"items": items}


@router.post(
    "/{key}/open",
    responses={200: {"model": NewConversationOut}, **problems(401, 403, 404, 413, 422, 503)},
)
async def open_conversation(
    key: Key, response: Response, agent: ChangingTraveller
) -> dict[str, Any]:
    """Switches this browser to one of the traveller's conversations."""
    ctx, thread = agent.ctx, await _thread_for(agent, key)
    opened = ThreadAgent(ctx, thread)
    state = await opened.forward("GET", "trips")
    history = await opened.forward("GET", "history")
    await agent_rest.record_conversation(ctx.agent, ctx.metrics, agent.traveller, thread)
    ctx.sessions.set_thread_cookie(response, thread, agent.traveller)
    return {
        "csrf_token": ctx.sessions.csrf_token(thread),
        "state": agent_rest.public_state(state),
        "history": agent_rest.rendered_history(history),
    }


@router.patch(
    "/{key}",
    responses=problems(400, 401, 403, 404, 413, 422, 503),
    **NO_CONTENT,
)
async def rename_conversation(key: Key, body: RenameIn, agent: ChangingTraveller) -> Response:
    thread = await _thread_for(agent, key)
    await agent.conversations("PATCH", thread, json={"title": body.title})
    return Response(status_code=204)


@router.delete(
    "/{key}",
    responses=problems(401, 403, 404, 409, 413, 422, 503),
    **NO_CONTENT,
)
async def delete_conversation(key: Key, agent: ChangingTraveller) -> Response:
    """Deletes one of the traveller's other conversations, with its trips."""
    thread = await _thread_for(agent, key)
    if thread == agent.thread:
        raise HTTPException(409, CURRENT)
    await agent.conversations("DELETE", thread)
    return Response(status_code=204)
