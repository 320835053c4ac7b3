"""The kit's shared refusals on a small app wired as both services wire it: a body that is
not JSON gets 400 with one sentence, JSON nested too deeply 422, a 405 names every method
of its path in `Allow` (routes from several routers), a wrong field stays the service's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from travel_kit.body_limit import include_limited
from travel_kit.http_errors import NESTED_TOO_DEEPLY, NOT_JSON, http_error, not_json

JSON = {"content-type": "application/json"}


class Note(BaseModel):
    text: str


def _app() -> FastAPI:
    app = FastAPI()
    notes, more = APIRouter(), APIRouter()

    @notes.post("/notes/{note_id}")
    async def add(note_id: str, note: Note) -> dict[str, str]:
        return {"text": note.text}

    @more.delete("/notes/{note_id}")
    async def delete(note_id: str) -> dict[str, str]:
        return {}

    async def invalid(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return not_json(exc) or JSONResponse({"detail": "the service's own"}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    include_limited(app, 1_000_000, [notes, more])
    return app


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
        yield client


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"text": "caf\xe9"}', b'{"text": "a"} trailing'], ids=str
)
async def test_a_body_that_is_not_json_is_400_with_the_sentence(
    http: httpx.AsyncClient, body: bytes
) -> None:
    answer = await http.post("/notes/1", content=body, headers=JSON)
    assert answer.status_code == 400
    assert answer.json() == {"detail": NOT_JSON}


async def test_json_nested_too_deeply_is_422_with_the_sentence(http: httpx.AsyncClient) -> None:
    answer = await http.post("/notes/1", content=b"[" * 100_000, headers=JSON)
    assert answer.status_code == 422
    assert answer.json() == {"detail": NESTED_TOO_DEEPLY}


async def test_a_wrong_field_is_left_to_the_service(http: httpx.AsyncClient) -> None:
    answer = await http.post("/notes/1", json={"text": 1})
    assert answer.status_code == 422
    assert answer.json() == {"detail": "the service's own"}


async def test_405_lists_the_methods_of_every_router_on_the_path(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.put("/notes/1")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST, DELETE"
