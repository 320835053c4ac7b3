"""What the HTTP API promises beyond FastAPI's defaults: every refusal documented with
its shape, the AG-UI request body in the OpenAPI schema, and a correct `Allow` header,
so that clients (and the schema-based tests) can rely on the schema."""

from __future__ import annotations

from typing import Any

from ag_ui.core import RunAgentInput
from fastapi import Request, Response
from fastapi.exception_handlers import http_exception_handler
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route

from travel_kit.ids import THREAD_ID_PATTERN

#: The path parameter as documented; the check itself (with a clearer 422) is in runtime.
THREAD_ID_SCHEMA: dict[str, Any] = {"pattern": THREAD_ID_PATTERN, "minLength": 8, "maxLength": 128}


class Problem(BaseModel):
    """Every refusal: a sentence meant for a person."""

    detail: str


_WHY = {
    400: "The body could not be read (for example, it is not UTF-8)",
    401: "AGENT_API_TOKEN is set and the request does not carry it",
    404: "No such trip or place",
    409: "A run, an edit or an approval is pending on this conversation",
    413: "The request body is over MAX_BODY_BYTES",
    422: "The request is not valid (the sentence says what is wrong)",
    503: "Shutting down, or the database is temporarily unavailable",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": _WHY[code]} for code in codes}


def run_input_request_body() -> dict[str, Any]:
    """`openapi_extra` of `POST /copilotkit`: the body is an AG-UI RunAgentInput."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/RunAgentInput"}}
            },
        }
    }


def run_input_components() -> dict[str, Any]:
    """RunAgentInput and the models it uses, as OpenAPI components (camelCase, as sent)."""
    schema = RunAgentInput.model_json_schema(
        by_alias=True, ref_template="#/components/schemas/{model}"
    )
    components: dict[str, Any] = schema.pop("$defs", {})
    # Tagged unions (messages by `role`, content parts by `type`) need their tag even
    # where the model gives it a default: say so, as pydantic enforces it.
    for tag, name in _tagged(schema, components):
        model = components[name]
        if tag not in model.get("required", []):
            model["required"] = [*model.get("required", []), tag]
    schema["properties"]["threadId"] = {**schema["properties"]["threadId"], **THREAD_ID_SCHEMA}
    components["RunAgentInput"] = schema
    return components


def _tagged(*nodes: Any) -> list[tuple[str, str]]:
    """(tag property, component name) of every discriminated union below `nodes`."""
    found: list[tuple[str, str]] = []
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            discriminator = node.get("discriminator")
            if isinstance(discriminator, dict):
                for ref in discriminator.get("mapping", {}).values():
                    found.append((discriminator["propertyName"], ref.rsplit("/", 1)[-1]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


async def http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's HTTP error answer, with a complete `Allow` on 405: Starlette lists only
    the methods of the first route that matched the path, not all of the path's routes."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allowed = {
            method
            for route in request.app.routes
            if isinstance(route, Route)
            and route.methods
            and route.matches(request.scope)[0] != Match.NONE
            for method in route.methods
        }
        exc.headers = {**(exc.headers or {}), "Allow": ", ".join(sorted(allowed))}
    return await http_exception_handler(request, exc)
