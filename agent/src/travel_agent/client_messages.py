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
import re
from collections.abc import Sequence
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

#: Characters nobody reads: controls, spaces, zero-width, joiner and direction marks. A
#: message of these only is empty. One list for the check and for the API schema.
INVISIBLE = (
    "\\u0000-\\u0020\\u007f-\\u00a0\\u00ad\\u061c\\u115f\\u1160\\u1680\\u180e"
    "\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u3000\\u3164\\ufeff\\uffa0"
)
_BLANK = re.compile(f"[{INVISIBLE}]*")
#: The OpenAPI pattern of a user's text: at least one character that is not invisible.
VISIBLE_TEXT_PATTERN = f"[^{INVISIBLE}]"


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
    if only_text and all(_BLANK.fullmatch(text) for text in texts):
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
