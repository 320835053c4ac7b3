"""What a chat run takes from the messages a client sends: the person's new message, and
nothing else.

Clients such as CopilotKit replay the whole conversation on every turn. The stored
conversation is the truth: replayed messages whose ids are stored are matched against it
and ignored; assistant, tool and reasoning messages a client sends never enter it (the
model would take them for its own words); a stored user message sent again with other
content (an "edit") is refused, never written over the conversation or used to rewind it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from itertools import groupby
from typing import Any

from ag_ui.core import Message, UserMessage
from ag_ui_langgraph.utils import agui_messages_to_langchain
from langchain_core.messages import BaseMessage, HumanMessage

EDITED = (
    "That message was already sent and cannot be changed; send a new message instead "
    "(reload to see the conversation as it is stored)."
)
EMPTY = "Your message is empty: type something to send."
NOT_TEXT = "Your message holds characters that are not valid text; type it again."


def _invisible(char: str) -> bool:
    # Unicode's "Other" and "Separator" characters (controls, zero-width and direction
    # marks, unassigned, spaces): nothing a person wrote. A message of these only is empty.
    # Python's isprintable() is exactly "neither", but counts the ASCII space as printable.
    return char == " " or not char.isprintable()


@lru_cache(maxsize=1)
def visible_text_pattern() -> str:
    """The OpenAPI pattern of a user's text, from the same rule as the check: at least one
    character that is not invisible. Built once, when the schema is asked for."""
    ranges: list[str] = [" "]
    # Lone surrogates are refused on their own (NOT_TEXT) and cannot be encoded: skipped.
    for start, stop in ((0, 0xD800), (0xE000, 0x110000)):
        code = start
        for printable, run in groupby(map(str.isprintable, map(chr, range(start, stop)))):
            length = len(list(run))
            if not printable:
                last = code + length - 1
                ranges.append(chr(code) if length == 1 else f"{chr(code)}-{chr(last)}")
            code += length
    return f"[^{''.join(ranges)}]"


class Refused(Exception):
    """The request's messages cannot be taken; `str(exc)` is the sentence for the person."""


def _comparable(content: Any) -> str:
    # As ag-ui-langgraph compares contents (structured content key-order insensitive).
    if isinstance(content, str):
        return content
    return json.dumps(content, sort_keys=True, default=str)


def _texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [t for part in content if isinstance(t := getattr(part, "text", None), str)]
    return []


def _check_text(message: UserMessage) -> None:
    texts = _texts(message.content)
    if any(0xD800 <= ord(c) <= 0xDFFF for text in texts for c in text):
        raise Refused(NOT_TEXT)  # a lone surrogate: no UTF-8 for it, it would be stored as ?
    only_text = isinstance(message.content, str) or len(texts) == len(message.content or [])
    if only_text and all(_invisible(c) for text in texts for c in text):
        raise Refused(EMPTY)


def new_user_message(sent: Sequence[Message], stored: Sequence[BaseMessage]) -> UserMessage | None:
    """The last user message whose id is not stored (None when there is none).

    Raises Refused when a stored message is sent again as a user message with other
    content, or when the new message holds no text or text that is not valid."""
    stored_by_id = {m.id: m for m in stored if m.id}
    new: UserMessage | None = None
    for message in sent:
        if not isinstance(message, UserMessage):
            continue  # assistant, tool, reasoning, system...: the service's own business
        known = stored_by_id.get(message.id)
        if known is None:
            new = message
            continue
        if not isinstance(known, HumanMessage):
            raise Refused(EDITED)
        (as_stored,) = agui_messages_to_langchain([message])
        if _comparable(as_stored.content) != _comparable(known.content):
            raise Refused(EDITED)
    if new is not None:
        _check_text(new)
    return new


def text_length(message: UserMessage) -> int:
    return sum(len(t) for t in _texts(message.content))
