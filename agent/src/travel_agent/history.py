"""A conversation as a client redraws it: messages, searches and approval decisions."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from .tools import CHANGE_TOOLS


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if isinstance(p, dict))


def history_items(
    messages: list[AnyMessage], pending: tuple[str, dict[str, Any]] | None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    for m in messages:
        if isinstance(m, HumanMessage):
            items.append(
                {"type": "message", "id": m.id, "role": "user", "content": _text(m.content)}
            )
        elif isinstance(m, AIMessage):
            if text := _text(m.content).strip():
                items.append({"type": "message", "id": m.id, "role": "assistant", "content": text})
            for call in m.tool_calls:
                result = results.get(call["id"] or "")
                if call["name"] == "search_for_places" and result and result.status != "error":
                    queries = call["args"].get("queries", [])
                    items.append({"type": "search", "id": call["id"], "queries": queries})
                elif call["name"] in CHANGE_TOOLS and result is not None:
                    artifact = result.artifact if isinstance(result.artifact, dict) else None
                    if artifact and "proposal" in artifact:
                        items.append(
                            {
                                "type": "approval",
                                "id": call["id"],
                                **artifact["proposal"],
                                "decision": artifact["decision"],
                                "approved_place_ids": artifact["approved_place_ids"],
                            }
                        )
    if pending is not None:
        interrupt_id, payload = pending
        items.append(
            {
                "type": "approval",
                "id": payload.get("toolCallId"),
                "interrupt_id": interrupt_id,
                **{k: v for k, v in payload.items() if k != "toolCallId"},
                "decision": "pending",
                "approved_place_ids": [],
            }
        )
    return items
