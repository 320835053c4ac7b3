"""The HTTP refusals both services answer the same way: a body that is not JSON (400 with
one sentence, not FastAPI's 422 list or its "error parsing the body"), JSON nested too
deeply for the parser (422), a 405 whose `Allow` names every method of the path, and a
body over the limit (the sentence of `body_limit`).

Each service adds `http_error` as its handler of Starlette's `HTTPException`, and starts
its `RequestValidationError` handler with `not_json`."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from . import body_limit

NOT_JSON = "The request body is not valid JSON."
NESTED_TOO_DEEPLY = "The request body is nested too deeply."

#: Methods a 405 may list in `Allow`, in the order it lists them.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def not_json(exc: RequestValidationError) -> JSONResponse | None:
    """400 with `NOT_JSON` when FastAPI could not parse the body as JSON (it reports that
    as a validation error, `json_invalid`); None for a body with a wrong field."""
    if any(error.get("type") == "json_invalid" for error in exc.errors()):
        return JSONResponse({"detail": NOT_JSON}, status_code=400)
    return None


def _parse_failure(exc: HTTPException) -> HTTPException:
    """For FastAPI's 400 on a JSON body it could not read (its cause: bytes that are not
    UTF-8, or nesting deeper than the parser goes), the same answer as for malformed JSON,
    or 422 for the nesting; `exc` otherwise."""
    if exc.status_code != 400:
        return exc
    if isinstance(exc.__cause__, RecursionError):
        return HTTPException(422, NESTED_TOO_DEEPLY)
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return HTTPException(400, NOT_JSON)
    return exc


def allowed_methods(request: Request) -> list[str]:
    """The methods some route answers on this request's path. Asked of the app's router
    itself: FastAPI keeps included routers as nested routes, so a flat list of routes
    misses some."""
    allowed = []
    for method in METHODS:
        scope = {
            "type": "http",
            "path": request.scope["path"],
            "root_path": request.scope.get("root_path", ""),
            "method": method,
            "headers": [],
        }
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


async def http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's HTTP error answer, with a complete `Allow` on 405 (Starlette lists only
    the methods of the first route that matched the path, not all of the path's routes)
    and the kit's sentences on a body over the limit or one that is not JSON."""
    assert isinstance(exc, HTTPException)
    exc = _parse_failure(body_limit.with_sentence(request, exc))
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": ", ".join(allowed_methods(request))}
    return await http_exception_handler(request, exc)
