"""What the HTTP API promises beyond FastAPI's defaults: every refusal documented with
its shape and the AG-UI request body in the OpenAPI schema, so that clients (and the
schema-based tests) can rely on the schema. (The refusals both services share, 400 for a
body that is not JSON and a complete `Allow` on 405, are the kit's `http_errors`.)"""

from __future__ import annotations

import copy
from typing import Any

from ag_ui.core import RunAgentInput
from pydantic import BaseModel

from travel_kit.ids import THREAD_ID_PATTERN

from .client_messages import visible_text_pattern

#: The path parameter as documented; the check itself (with a clearer 422) is in runtime.
THREAD_ID_SCHEMA: dict[str, Any] = {"pattern": THREAD_ID_PATTERN, "minLength": 8, "maxLength": 128}


class Problem(BaseModel):
    """Every refusal: a sentence meant for a person."""

    detail: str


_WHY = {
    400: "The body is not JSON (malformed, or not UTF-8)",
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
    _user_text_is_visible(components)
    return components


def _user_text_is_visible(components: dict[str, Any]) -> None:
    """A user's message must hold something to read (client_messages refuses the rest):
    its string, or each of its text parts, has a visible character; a list is not empty."""
    text_ref = "#/components/schemas/TextPart"
    user_ref = "#/components/schemas/UserTextPart"
    part = copy.deepcopy(components["TextPart"])
    pattern = visible_text_pattern()
    part["properties"]["text"]["pattern"] = pattern
    part["title"] = "UserTextPart"
    components["UserTextPart"] = part
    as_string, as_list = components["UserMessage"]["properties"]["content"]["anyOf"]
    as_string["pattern"] = pattern
    as_list["minItems"] = 1
    items = as_list["items"]
    items["oneOf"] = [{"$ref": user_ref} if r == {"$ref": text_ref} else r for r in items["oneOf"]]
    items["discriminator"]["mapping"]["text"] = user_ref


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
