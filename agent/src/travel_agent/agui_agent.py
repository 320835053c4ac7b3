"""The AG-UI LangGraph agent, with the graph's schema keys computed once.

The integration derives the graph's input/output keys from its JSON schemas on every run;
for this graph that costs more than the whole run, and the schemas never change.
"""

from __future__ import annotations

from typing import Any

from ag_ui_langgraph import LangGraphAgent

_schema_keys: dict[int, Any] = {}


class TravelAgent(LangGraphAgent):  # type: ignore[misc]  # the integration ships no types
    def get_schema_keys(self, config: Any) -> Any:
        key = id(self.graph)
        if key not in _schema_keys:
            _schema_keys[key] = super().get_schema_keys(config)
        return _schema_keys[key]
