"""The REST API for a traveller's conversations: list (named after their trips, newest
first), record, rename and delete. The ui names the traveller from its signed cookie."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from . import errors
from .api_contract import THREAD_ID_SCHEMA, problem_responses
from .conversations import TITLE_MAX, Conversation, Conversations
from .runtime import Runtime, check_thread_id, get_runtime
from .thread_locks import LockUnavailable, ThreadBusy
from .trip_ops import trips_from_state

log = logging.getLogger(__name__)
router = APIRouter(
    prefix="/travellers/{traveller_id}/conversations",
    tags=["conversations"],
    responses=problem_responses(400, 401, 404, 409, 413, 422, 503),
)

Traveller = Annotated[
    str, Path(description="Traveller id (from the ui's cookie)", json_schema_extra=THREAD_ID_SCHEMA)
]
Thread = Annotated[str, Path(description="Conversation id", json_schema_extra=THREAD_ID_SCHEMA)]


class ConversationOut(BaseModel):
    thread_id: str
    title: str | None = Field(description="The name the person gave it, if any")
    trip_names: list[str] = Field(description="Its trips, in order: what it is named after")
    created_at: float
    updated_at: float


class ConversationsOut(BaseModel):
    items: list[ConversationOut]


class RenameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=TITLE_MAX)


def get_conversations(request: Request) -> Conversations:
    conversations: Conversations = request.app.state.conversations
    return conversations


def _ids(traveller_id: Traveller, thread_id: Thread) -> tuple[str, str]:
    return check_thread_id(traveller_id), check_thread_id(thread_id)


async def _out(runtime: Runtime, item: Conversation) -> ConversationOut:
    try:
        view = await runtime.read_thread(item.thread_id)
        names = [t.name for t in trips_from_state(view.values.get("trips"))]
    except Exception:
        log.warning("could not read a listed conversation", exc_info=True)
        names = []
    return ConversationOut(
        thread_id=item.thread_id,
        title=item.title,
        trip_names=names,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _unavailable(exc: Exception) -> HTTPException:
    log.exception("conversation storage failed", exc_info=exc)
    return HTTPException(status_code=503, detail=errors.STORAGE_UNAVAILABLE)


NOT_FOUND = "That conversation is not in your list."


@router.get("", response_model=ConversationsOut, summary="A traveller's conversations")
async def list_conversations(
    traveller_id: Traveller,
    runtime: Runtime = Depends(get_runtime),
    store: Conversations = Depends(get_conversations),
) -> ConversationsOut:
    check_thread_id(traveller_id)
    try:
        items = await store.list(traveller_id)
    except Exception as exc:
        raise _unavailable(exc) from exc
    return ConversationsOut(items=[await _out(runtime, item) for item in items])


@router.put("/{thread_id}", status_code=204, summary="Record a conversation as the traveller's")
async def record_conversation(
    ids: tuple[str, str] = Depends(_ids), store: Conversations = Depends(get_conversations)
) -> Response:
    try:
        await store.touch(*ids)
    except Exception as exc:
        raise _unavailable(exc) from exc
    return Response(status_code=204)


@router.patch("/{thread_id}", status_code=204, summary="Rename a conversation")
async def rename_conversation(
    body: RenameIn,
    ids: tuple[str, str] = Depends(_ids),
    store: Conversations = Depends(get_conversations),
) -> Response:
    title = (body.title or "").strip() or None
    try:
        found = await store.rename(*ids, title)
    except Exception as exc:
        raise _unavailable(exc) from exc
    if not found:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return Response(status_code=204)


@router.delete("/{thread_id}", status_code=204, summary="Delete a conversation and its trips")
async def delete_conversation(
    ids: tuple[str, str] = Depends(_ids),
    runtime: Runtime = Depends(get_runtime),
    store: Conversations = Depends(get_conversations),
) -> Response:
    traveller_id, thread_id = ids
    try:
        if not await store.owns(traveller_id, thread_id):
            raise HTTPException(status_code=404, detail=NOT_FOUND)
        # Under the thread's lock, so no run writes into what is being deleted.
        async with runtime.locks.hold(thread_id):
            await runtime.persistence.saver.adelete_thread(thread_id)
            await store.forget(traveller_id, thread_id)
    except HTTPException:
        raise
    except ThreadBusy as exc:
        raise HTTPException(status_code=409, detail=errors.BUSY) from exc
    except (LockUnavailable, Exception) as exc:
        raise _unavailable(exc) from exc
    return Response(status_code=204)
