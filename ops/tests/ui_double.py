"""TEST DOUBLE OF OUR OWN ui SERVICE — temporary, until the real ui lands.

It implements only the smoke contract (ops/README.md, "Smoke contract") so `travelctl smoke`
can be tested against a real HTTP server now. When the ui service exists, the smoke tests
must run against it instead (started as a process with the agent behind it) and this file
goes away.

Contract: `GET /` answers HTML with `<meta name="csrf-token" content="…">` and sets a session
cookie; `GET /healthz` answers 200; `POST /api/chat` with JSON `{"message": "…"}`, the
cookie and header `X-CSRF-Token` answers `text/event-stream` of AG-UI events ending with
`RUN_FINISHED` or `RUN_ERROR`; a missing or wrong token is 403.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ag_ui.core import (
    BaseEvent,
    RunErrorEvent,
    RunFinishedEvent,
    RunStartedEvent,
    TextMessageContentEvent,
    TextMessageEndEvent,
    TextMessageStartEvent,
)
from ag_ui.encoder import EventEncoder
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

COOKIE = "travel_session"


@dataclass
class UiDouble:
    """`ending`: "finished", "error" or "cut" (the stream stops mid-run)."""

    ending: str = "finished"
    healthy: bool = True
    csrf_meta: bool = True
    stale_token: bool = False  # the page shows a token the chat endpoint will not accept
    tokens: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def events(self, message: str) -> list[BaseEvent]:
        started = RunStartedEvent(thread_id="thread-smoke", run_id="run-1")
        text = [
            TextMessageStartEvent(message_id="m1", role="assistant"),
            TextMessageContentEvent(message_id="m1", delta=f"Planning: {message}"),
        ]
        if self.ending == "error":
            return [started, RunErrorEvent(message="The planner is unavailable.", code="LLM")]
        if self.ending == "cut":
            return [started, *text]
        finished = RunFinishedEvent(thread_id="thread-smoke", run_id="run-1")
        return [started, *text, TextMessageEndEvent(message_id="m1"), finished]

    def app(self) -> Starlette:
        encoder = EventEncoder()

        async def page(request: Request) -> Response:
            session = request.cookies.get(COOKIE) or secrets.token_urlsafe(16)
            token = self.tokens.setdefault(session, secrets.token_urlsafe(16))
            shown = "stale-token" if self.stale_token else token
            meta = f'<meta name="csrf-token" content="{shown}">' if self.csrf_meta else ""
            html = (
                f"<!doctype html><html><head>{meta}<title>Travel</title></head><body></body></html>"
            )
            response = HTMLResponse(html)
            response.set_cookie(COOKIE, session, httponly=True, samesite="lax")
            return response

        async def healthz(request: Request) -> Response:
            return JSONResponse(
                {"status": "ok" if self.healthy else "failing"},
                status_code=200 if self.healthy else 503,
            )

        async def chat(request: Request) -> Response:
            session = request.cookies.get(COOKIE, "")
            token = self.tokens.get(session)
            if token is None or request.headers.get("x-csrf-token") != token:
                return JSONResponse({"detail": "Missing or wrong CSRF token."}, status_code=403)
            body = await request.json()
            message = body.get("message") if isinstance(body, dict) else None
            if not isinstance(message, str) or not message.strip():
                return JSONResponse({"detail": "Say something."}, status_code=422)
            self.messages.append(message)

            async def stream() -> AsyncIterator[str]:
                for event in self.events(message):
                    yield encoder.encode(event)

            return StreamingResponse(stream(), media_type=encoder.get_content_type())

        return Starlette(
            routes=[
                Route("/", page),
                Route("/healthz", healthz),
                Route("/api/chat", chat, methods=["POST"]),
            ]
        )
