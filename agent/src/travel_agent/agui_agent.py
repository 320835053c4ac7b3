"""The AG-UI LangGraph agent, with the graph's schema keys computed once and state
snapshots limited to what clients show.

The integration derives the graph's input/output keys from its JSON schemas on every run;
for this graph that costs more than the whole run, and the schemas never change.
"""

from __future__ import annotations

from typing import Any

from ag_ui_langgraph import LangGraphAgent

from .state import STATE_KEYS

_schema_keys: dict[int, Any] = {}


class TravelAgent(LangGraphAgent):  # type: ignore[misc]  # the integration ships no types
    def get_schema_keys(self, config: Any) -> Any:
        key = id(self.graph)
        if key not in _schema_keys:
            _schema_keys[key] = super().get_schema_keys(config)
        return _schema_keys[key]

    def get_stream_kwargs(self, *args: Any, **kwargs: Any) -> Any:
        # One checkpoint per run (at its end or its interrupt), not one per step: every
        # checkpoint stores the whole conversation (see checkpoint_pruning).
        return {**super().get_stream_kwargs(*args, **kwargs), "durability": "exit"}

    def get_state_snapshot(self, state: Any) -> Any:
        # Clients get trips, selection and search progress; messages have their own events
        # (the full message list in every snapshot would grow with the conversation).
        return {key: state[key] for key in STATE_KEYS if key in state}
