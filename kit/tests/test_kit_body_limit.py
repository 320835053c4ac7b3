"""The kit's body limit on a small app wired as both services wire it (`include_limited`,
the sentence in the HTTP error handler)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from travel_kit.body_limit import include_limited, with_sentence

LIMIT = 100
SENTENCE = "The request body is too large (limit 100 bytes)."


class Note(BaseModel):
    text: str


def _app() -> FastAPI:
    app = FastAPI()
    router = APIRouter()

    @router.post("/notes")
    async def add(note: Note) -> dict[str, str]:
        if note.text == "refuse":  # an app's own 413 (the ui passes on the agent's)
            raise HTTPException(413, "The planner refused that size.")
        return {"text": note.text}

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return await http_exception_handler(request, with_sentence(request, exc))

    app.add_exception_handler(HTTPException, handler)
    include_limited(app, LIMIT, [router])
    return app


async def _chunks() -> AsyncIterator[bytes]:
    for _ in range(5):
        yield b'"xxxxxxxxxxxxxxxxxxxxxxxxx"'


async def test_bodies_over_the_limit_get_413_with_the_sentence() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as http:
        announced = await http.post("/notes", json={"text": "x" * 200})
        chunked = await http.post(
            "/notes", content=_chunks(), headers={"Content-Type": "application/json"}
        )
        small = await http.post("/notes", json={"text": "hi"})
        own = await http.post("/notes", json={"text": "refuse"})
    for refused in (announced, chunked):
        assert refused.status_code == 413
        assert refused.json() == {"detail": SENTENCE}
        assert refused.headers["connection"] == "close"
    assert small.json() == {"text": "hi"}
    assert own.status_code == 413
    assert own.json() == {"detail": "The planner refused that size."}
