"""The interface every places provider implements, so the graph never knows which one runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..models import Place


@dataclass(frozen=True)
class SearchResult:
    """What one query found. `error` is a sentence for the model when the search failed."""

    query: str
    places: list[Place] = field(default_factory=list)
    error: str | None = None
    note: str | None = None


class PlacesProvider(Protocol):
    """Searches for places. Never invents a place: an empty result says so in `note`."""

    name: str

    async def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult: ...

    async def aclose(self) -> None: ...
