"""Where a chat request enters: `POST /copilotkit`, AG-UI over SSE (agent name `travel`).

The maintained AG-UI LangGraph integration does the streaming; this module checks what
comes in first (size, shape, thread, pending approval) so that bad input never reaches
the graph, and keeps one run per thread.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

from ag_ui.core import (
    EventType,
    MessagesSnapshotEvent,
    RunAgentInput,
    RunErrorEvent,
    RunFinishedEvent,
    RunStartedEvent,
    StateSnapshotEvent,
    UserMessage,
)
from ag_ui.encoder import EventEncoder
from ag_ui_langgraph.utils import langchain_messages_to_agui
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from langgraph.types import StateSnapshot
from pydantic import ValidationError

from travel_kit.http_errors import NESTED_TOO_DEEPLY, NOT_JSON
from travel_kit.ids import is_thread_id

from . import errors, tracing
from .agui_batches import coalesced, encoded
from .api_contract import problem_responses, run_input_request_body
from .client_messages import EDITED, Refused, new_user_message, text_length
from .drain import StreamStopped, until_stopped
from .graph import pending_proposal
from .logging_setup import thread_id_var
from .metrics import ACTIVE_STREAMS, AGENT_RUNS
from .runtime import Runtime, get_runtime
from .state import STATE_KEYS
from .storage_messages import MessageStore
from .thread_locks import ThreadBusy
from .trip_ops import Proposal

log = logging.getLogger(__name__)
router = APIRouter()

AGENT_NAME = "travel"
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _refuse(status: int, detail: str) -> JSONResponse:
    AGENT_RUNS.labels("refused").inc()
    return JSONResponse({"detail": detail}, status_code=status)


def _validation_summary(exc: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
    ]
    return "The request is not a valid AG-UI RunAgentInput (" + "; ".join(parts) + ")."


@router.post(
    "/copilotkit",
    summary="Run the travel agent (AG-UI)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "AG-UI event stream"},
        **problem_responses(400, 401, 409, 413, 422, 503),
    },
    openapi_extra=run_input_request_body(),
)
async def run_agent(request: Request) -> Response:
    runtime = get_runtime(request)
    try:
        data = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, NOT_JSON)
    except RecursionError:  # the parser gives up on very deep nesting
        return _refuse(422, NESTED_TOO_DEEPLY)
    try:
        run_input = RunAgentInput.model_validate(data)
    except ValidationError as exc:
        return _refuse(422, _validation_summary(exc))
    if not is_thread_id(run_input.thread_id):
        return _refuse(422, "threadId must be 8 to 128 letters, digits, '-' or '_'.")
    thread_id_var.set(run_input.thread_id)
    if runtime.draining:
        return _refuse(503, errors.SHUTTING_DOWN)

    # Every return below frees the thread; a run that starts takes the lease with it.
    async with AsyncExitStack() as lease:
        try:
            await lease.enter_async_context(runtime.locks.hold(run_input.thread_id))
        except ThreadBusy:
            return _refuse(409, errors.BUSY)
        except Exception:
            log.exception("could not take the thread lock")
            return _refuse(503, errors.STORAGE_UNAVAILABLE)
        try:
            snapshot = await runtime.state_for_run(run_input.thread_id)
        except Exception:
            log.exception("could not read the thread state")
            return _refuse(503, errors.STORAGE_UNAVAILABLE)
        older = runtime.persistence.messages  # a thread's messages before its checkpoint's
        recent = snapshot.values.get("messages", [])
        try:
            sent_ids = [m.id for m in run_input.messages]
            stored = [*await older.find(run_input.thread_id, sent_ids, recent), *recent]
        except Exception:
            log.exception("could not read the thread's messages")
            return _refuse(503, errors.STORAGE_UNAVAILABLE)
        try:
            new_message = new_user_message(run_input.messages, stored)
        except Refused as exc:
            return _refuse(422 if str(exc) != EDITED else 409, str(exc))
        limit = runtime.settings.max_message_chars
        if new_message is not None and text_length(new_message) > limit:
            return _refuse(422, f"Your message is too long: at most {limit:,} characters.")
        refusal = _check_against_state(snapshot, run_input, new_message)
        if refusal is not None:
            return refusal
        if not recent and new_message is not None:
            older.starts(run_input.thread_id, new_message.id)

        # The run's first STATE_SNAPSHOT shows the stored trips (the graph's input schema
        # takes messages only, so this state is shown, never written); a new turn starts
        # its search progress afresh.
        shown = {key: snapshot.values.get(key) for key in STATE_KEYS}
        if not run_input.resume:
            shown["search_progress"] = []
        # What the client says about state, tools or props never enters the graph (trips
        # change only through tool calls the person approved), nor does any message but
        # the person's new one.
        clean = run_input.model_copy(
            update={
                "state": shown,
                "tools": [],
                "context": [],
                "forwarded_props": {},
                "messages": [new_message] if new_message is not None else [],
            }
        )
        encoder = EventEncoder(accept=request.headers.get("accept", "text/event-stream"))
        session = _RunSession(runtime, lease.pop_all(), run_input.run_id)
    if new_message is None and not run_input.resume and pending_proposal(snapshot.tasks) is None:
        # Only history the client already has (a replay, a reconnect): show the stored
        # state and conversation, and answer nothing twice.
        events = _shown_only(clean, older, recent)
    else:
        events = _run_events(runtime, clean, snapshot)
    return _RunStreamResponse(
        session,
        _stream(runtime, clean, session, events),
        media_type=encoder.get_content_type(),
        headers=STREAM_HEADERS,
    )


class _RunSession:
    """Counts the run and frees the thread exactly once, however the stream ends."""

    def __init__(self, runtime: Runtime, lease: AsyncExitStack, run_id: str) -> None:
        self.runtime = runtime
        self.lease = lease
        self.run_id = run_id[:128]  # client-chosen: logged, so bounded
        self.outcome = "cancelled"  # until the stream says otherwise
        self.closed = False
        self.started = time.perf_counter()
        runtime.run_started()
        ACTIVE_STREAMS.inc()

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        ACTIVE_STREAMS.dec()
        AGENT_RUNS.labels(self.outcome).inc()
        self.runtime.run_ended()
        await self.lease.aclose()
        log.info(
            "run ended",
            extra={
                "run_id": self.run_id,
                "outcome": self.outcome,
                "duration_ms": round((time.perf_counter() - self.started) * 1000, 1),
            },
        )


class _RunStreamResponse(StreamingResponse):
    def __init__(self, session: _RunSession, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Also when the client left before the stream started: never leak the lock.
            await self.session.close()


@router.get("/copilotkit/health", summary="AG-UI agent health (as the integration's helper)")
async def agent_health() -> dict[str, Any]:
    return {"status": "ok", "agent": {"name": AGENT_NAME}}


def _check_against_state(
    snapshot: StateSnapshot, run_input: RunAgentInput, new_message: UserMessage | None
) -> JSONResponse | None:
    pending = pending_proposal(snapshot.tasks)
    if run_input.resume:
        if pending is None:
            return _refuse(
                409, "There is no change waiting for your approval on this conversation."
            )
        interrupt_id, payload = pending
        proposal = Proposal.from_payload(payload)
        if len(run_input.resume) != 1 or run_input.resume[0].interrupt_id != interrupt_id:
            return _refuse(
                409, "That approval is no longer pending; reload to see the current one."
            )
        entry = run_input.resume[0]
        answer = entry.payload if isinstance(entry.payload, dict) else {}
        place_ids = answer.get("place_ids")
        if entry.status == "resolved" and place_ids is not None:
            if not isinstance(place_ids, list) or not all(isinstance(p, str) for p in place_ids):
                return _refuse(422, "place_ids must be a list of place ids.")
            unknown = proposal.unknown_place_ids(place_ids)
            if unknown:
                return _refuse(
                    422, f"These places were not part of the proposal: {', '.join(unknown[:10])}."
                )
        return None
    if pending is not None and new_message is not None:
        return _refuse(409, "A change is waiting for your approval: approve or cancel it first.")
    return None


async def _failure_sentence(runtime: Runtime) -> str:
    """What to tell the person about a run that failed for a reason they cannot act on:
    when the database is down right now, say that (it is temporary), else a generic line."""
    if not await runtime.persistence.ping():
        return errors.STORAGE_UNAVAILABLE
    return errors.INTERNAL


async def _run_events(
    runtime: Runtime, run_input: RunAgentInput, snapshot: StateSnapshot
) -> AsyncIterator[list[Any]]:
    """The agent's events for one run, in batches of those ready together, in a trace
    span when tracing is on, ended early (StreamStopped) when the shutdown grace period is
    over. `snapshot` is the thread's state as read above under its lock: the run starts
    from it instead of reading it again."""
    with tracing.run_context(
        "agent.run", thread_id=run_input.thread_id, run_id=run_input.run_id
    ) as context:
        config = runtime.config(run_input.thread_id)
        agent = runtime.agent.for_run(config, snapshot, runtime.persistence.messages)
        events = agent.run(run_input)
        async for batch in until_stopped(runtime.stop_streams, events, context):
            yield batch


async def _shown_only(
    run_input: RunAgentInput, older: MessageStore, recent: list[Any]
) -> AsyncIterator[list[Any]]:
    """A run that only shows the stored state and conversation (nothing new was sent)."""
    thread_id, run_id = run_input.thread_id, run_input.run_id
    whole = await older.conversation_agui(thread_id, langchain_messages_to_agui(recent))
    yield [
        RunStartedEvent(thread_id=thread_id, run_id=run_id),
        StateSnapshotEvent(snapshot=run_input.state),
        MessagesSnapshotEvent(messages=whole),
        RunFinishedEvent(thread_id=thread_id, run_id=run_id),
    ]


async def _stream(
    runtime: Runtime,
    run_input: RunAgentInput,
    session: _RunSession,
    batches: AsyncIterator[list[Any]],
) -> AsyncIterator[str]:
    """The encoded stream: one chunk (one write) per batch of events ready together."""
    outcome = "finished"
    started = False
    try:
        async for batch in batches:
            chunk = []
            for event in coalesced(batch):
                if event.type == EventType.RUN_STARTED:
                    started = True
                elif event.type == EventType.RUN_ERROR:
                    outcome = "error"
                    message = event.message
                    if message not in errors.SAFE_MESSAGES:
                        log.error("run failed", extra={"error": message})
                        message = await _failure_sentence(runtime)
                    code = errors.RUN_ERROR_CODES[message]
                    event = event.model_copy(update={"message": message, "code": code})
                elif event.type == EventType.RUN_FINISHED:
                    result = getattr(event, "outcome", None)
                    if result is not None and getattr(result, "type", None) == "interrupt":
                        outcome = "interrupted"
                if event.type in (EventType.RUN_FINISHED, EventType.RUN_ERROR):
                    # Let go of the thread before the client hears the run is over: it
                    # may answer at once (an approval, an edit), maybe through another
                    # replica.
                    session.outcome = outcome
                    await session.close()
                chunk.append(encoded(event))
            yield "".join(chunk)
        session.outcome = outcome
    except StreamStopped:
        # The shutdown grace period is over: say so instead of cutting the stream.
        log.warning("run stopped: shutdown grace period over")
        if not started:
            yield encoded(RunStartedEvent(thread_id=run_input.thread_id, run_id=run_input.run_id))
        session.outcome = "error"
        await session.close()
        yield encoded(
            RunErrorEvent(
                message=errors.SHUTTING_DOWN, code=errors.RUN_ERROR_CODES[errors.SHUTTING_DOWN]
            )
        )
    finally:
        # A client that goes away (stop button, closed tab) leaves outcome "cancelled".
        await session.close()
