"""The AG-UI LangGraph agent, with the graph's schema keys computed once, state snapshots
limited to what clients show, and no time travel.

The integration derives the graph's input/output keys from its JSON schemas on every run;
for this graph that costs more than the whole run, and the schemas never change.
"""

from __future__ import annotations

import weakref
from typing import Any

from ag_ui_langgraph import LangGraphAgent

from .state import STATE_KEYS

#: Per graph (agents are cloned per run; the graph is shared), gone with the graph.
_schema_keys: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


class TravelAgent(LangGraphAgent):  # type: ignore[misc]  # the integration ships no types
    def get_schema_keys(self, config: Any) -> Any:
        keys = _schema_keys.get(self.graph)
        if keys is None:
            keys = _schema_keys[self.graph] = super().get_schema_keys(config)
        return keys

    def get_stream_kwargs(self, *args: Any, **kwargs: Any) -> Any:
        # One checkpoint per run (at its end or its interrupt), not one per step: every
        # checkpoint stores the whole conversation (see checkpoint_pruning).
        return {**super().get_stream_kwargs(*args, **kwargs), "durability": "exit"}

    def get_state_snapshot(self, state: Any) -> Any:
        # Clients get trips, selection and search progress; messages have their own events
        # (the full message list in every snapshot would grow with the conversation).
        return {key: state[key] for key in STATE_KEYS if key in state}

    async def prepare_regenerate_stream(self, *args: Any, **kwargs: Any) -> Any:
        # The integration rewinds a thread (old trips, lost approvals) when a request
        # re-sends an earlier message. agui.py passes only the person's new message, so
        # this is never reached; should it be, the run fails instead of rewinding.
        raise RuntimeError("refusing to rewind a thread (time travel is not offered)")
