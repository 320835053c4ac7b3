"""Checkpoint deserialisation that does not redo the same work every time it is asked.

A thread keeps one checkpoint holding its whole conversation, and a turn reads it several
times (agui.py's input checks, the graph's own load, the end-of-run snapshot; run_graph
answers some of them without reading): each read rebuilds every message as a LangChain
pydantic object, so a turn cost more the longer the conversation. The same bytes always
give the same values, so the result is kept by those bytes (a content key: never stale,
on both savers) and a hit costs a copy of the containers. What a run saves is kept as it
is saved when it is plain data and messages (decoding gives exactly that back), so the
end-of-run read of the new checkpoint decodes nothing either.

Callers get fresh dicts and lists (LangGraph and the nodes may change those) and fresh
copies of anything else, except messages: they are shared, as LangChain, LangGraph's
`add_messages` and the AG-UI integration treat a stored message as immutable (the
integration deep-copies one before repairing it).
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

#: Below this a blob is cheap to decode: not kept.
MIN_BYTES = 4 * 1024

_ATOMS = (str, int, float, bool, bytes, type(None))
#: The exact types of most values: shared as they are, without a call each (a checkpoint
#: holds thousands of them: every trip's places' fields).
_ATOM_TYPES = frozenset(_ATOMS)


def _fresh(value: Any) -> Any:
    if type(value) is dict:
        return {
            key: item if type(item) in _ATOM_TYPES else _fresh(item) for key, item in value.items()
        }
    if type(value) is list:
        return [item if type(item) in _ATOM_TYPES else _fresh(item) for item in value]
    if isinstance(value, (*_ATOMS, BaseMessage)):
        return value
    return copy.deepcopy(value)


#: Messages whose decoded form is the same object type with the same fields.
_MESSAGES = (AIMessage, HumanMessage, SystemMessage, ToolMessage)


def _plain(value: Any) -> bool:
    """Whether msgpack gives `value` back as it is: str-keyed dicts, lists, atoms and
    LangChain messages (tuples come back as lists, other objects by their own rules)."""
    if type(value) is dict:
        return all(
            type(k) is str and (type(v) in _ATOM_TYPES or _plain(v)) for k, v in value.items()
        )
    if type(value) is list:
        return all(type(item) in _ATOM_TYPES or _plain(item) for item in value)
    return isinstance(value, _ATOMS) or type(value) in _MESSAGES


class CachingSerializer(JsonPlusSerializer):
    def __init__(self, max_bytes: int) -> None:
        """`max_bytes`: serialised bytes kept in all (CHECKPOINT_CACHE_BYTES; the decoded
        objects take several times that); the least recently read goes first."""
        super().__init__()
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple[str, bytes], Any] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # the savers also run their sync methods in threads

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        # A checkpoint just saved is read back at the end of its run: keep what was saved
        # when decoding would give it back exactly (plain data and messages only).
        data = super().dumps_typed(obj)
        if MIN_BYTES <= len(data[1]) <= self.max_bytes and _plain(obj):
            self._keep((data[0], bytes(data[1])), _fresh(obj))
        return data

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        kind, blob = data
        if len(blob) < MIN_BYTES or len(blob) > self.max_bytes:
            return super().loads_typed(data)
        key = (kind, bytes(blob))
        with self._lock:
            value = self._kept.get(key, _MISSING)
            if value is not _MISSING:
                self._kept.move_to_end(key)
        if value is _MISSING:
            value = super().loads_typed(data)
            self._keep(key, value)
        return _fresh(value)

    def _keep(self, key: tuple[str, bytes], value: Any) -> None:
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = value
            self._size += len(key[1])
            while self._size > self.max_bytes:
                (_, old), _ = self._kept.popitem(last=False)
                self._size -= len(old)


_MISSING = object()
