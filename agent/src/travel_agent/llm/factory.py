"""Chooses the chat model the graph runs on."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from ..settings import Settings
from .offline_planner import CityFinder, OfflinePlanner


def build_chat_model(settings: Settings, finder: CityFinder) -> BaseChatModel:
    if settings.effective_llm_provider == "openai":
        from .openai_model import build_openai_model  # imported only when used

        chat: BaseChatModel = build_openai_model(settings)
        return chat
    return OfflinePlanner(finder=finder)
