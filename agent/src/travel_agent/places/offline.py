# mypy: ignore-errors
# TEMPORARY DEV STUB (not committed) until the gazetteer branch merges.
from __future__ import annotations

from dataclasses import dataclass

from ..models import Place
from .base import SearchResult


@dataclass
class City:
    name: str
    country: str
    latitude: float
    longitude: float


ROME = [
    Place(
        id=f"gaz-rome-{i}",
        name=n,
        address="Rome, Italy",
        latitude=41.89 + i * 0.001,
        longitude=12.49 + i * 0.001,
        description=f"{n} in Rome",
    )
    for i, n in enumerate(
        [
            "Colosseum",
            "Vatican Museums",
            "Pantheon",
            "St Peter's Basilica",
            "Capitoline Museums",
            "Santa Maria Maggiore",
        ]
    )
]


class OfflineGazetteer:
    name = "offline"

    async def search(self, query, *, near=None, limit=10):
        if "rome" in query.lower():
            return SearchResult(query=query, places=ROME[:limit])
        return SearchResult(
            query=query, note="I could not find that place in the offline gazetteer."
        )

    async def aclose(self):
        pass

    def find_city(self, text):
        if "rome" in text.lower():
            return City("Rome", "IT", 41.89, 12.49)
        return None

    def categories_in(self, text):
        return [c for c in ("museums", "churches") if c[:-1] in text.lower()]
