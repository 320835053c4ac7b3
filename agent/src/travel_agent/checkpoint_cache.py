"""Checkpoint deserialisation that does not redo the same work every time it is asked.

A thread keeps one checkpoint holding its whole conversation, and a turn reads it several
times (agui.py's input checks, the graph's own load, the end-of-run snapshot; run_graph
answers some of them without reading): each read rebuilds every message as a LangChain
pydantic object, so a turn cost more the longer the conversation. The same bytes always
give the same values, so the result is kept by those bytes (a content key: never stale,
on both savers) and a hit costs a copy of the containers.

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

from langchain_core.messages import BaseMessage
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

#: Below this a blob is cheap to decode: not kept.
MIN_BYTES = 4 * 1024
#: Serialised bytes kept in all (the decoded objects take several times that): a few
#: dozen long conversations; the least recently read goes first.
MAX_BYTES = 4 * 1024 * 1024

_ATOMS = (str, int, float, bool, bytes, type(None))


def _fresh(value: Any) -> Any:
    if isinstance(value, (*_ATOMS, BaseMessage)):
        return value
    if type(value) is dict:
        return {key: _fresh(item) for key, item in value.items()}
    if type(value) is list:
        return [_fresh(item) for item in value]
    return copy.deepcopy(value)


class CachingSerializer(JsonPlusSerializer):
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple[str, bytes], Any] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # the savers also run their sync methods in threads

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
            with self._lock:
                if key not in self._kept:
                    self._kept[key] = value
                    self._size += len(blob)
                while self._size > self.max_bytes:
                    (_, old), _ = self._kept.popitem(last=False)
                    self._size -= len(old)
        return _fresh(value)


_MISSING = object()
