"""Chooses the chat model the graph runs on. Each model's module is imported only when it
is chosen: the openai SDK and the offline planner's grammar each cost a good part of a
second at start-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel

from ..settings import Settings

if TYPE_CHECKING:
    from .offline_planner import CityFinder


def build_chat_model(settings: Settings, finder: Callable[[], CityFinder]) -> BaseChatModel:
    """`finder()` (the gazetteer) is called only for the offline planner."""
    if settings.effective_llm_provider == "openai":
        from .openai_model import build_openai_model

        chat: BaseChatModel = build_openai_model(settings)
        return chat
    from .offline_planner import OfflinePlanner

    return OfflinePlanner(finder=finder())
