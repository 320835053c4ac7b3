"""Every place search, timed and counted (Prometheus) and traced (when tracing is on),
whichever provider runs it."""

from __future__ import annotations

import time

from ..metrics import PLACE_SEARCH_DURATION, PLACE_SEARCH_ERRORS, PLACE_SEARCH_RESULTS
from ..tracing import span
from .base import PlacesProvider, SearchResult

#: Providers that record the search metrics themselves (through `record_search`, in
#: places/http.py, so that a direct call is measured too): counted once.
SELF_MEASURED = frozenset({"google", "osm"})


def record_search(provider: str, seconds: float, result: SearchResult) -> None:
    """The one place a search's metrics are recorded: its duration, and its results or
    its failure."""
    PLACE_SEARCH_DURATION.labels(provider).observe(seconds)
    if result.error:
        PLACE_SEARCH_ERRORS.labels(provider).inc()
    else:
        PLACE_SEARCH_RESULTS.labels(provider).observe(len(result.places))


class MeasuredPlaces:
    """Wraps a provider; the graph and the REST API see the same interface."""

    def __init__(self, inner: PlacesProvider) -> None:
        self.inner = inner
        self.name = inner.name
        self._record = inner.name not in SELF_MEASURED

    async def search(
        self, query: str, *, near: tuple[float, float] | None = None, limit: int = 10
    ) -> SearchResult:
        with span("places.search", **{"places.provider": self.name}) as current:
            started = time.perf_counter()
            try:
                result = await self.inner.search(query, near=near, limit=limit)
            except Exception:
                if self._record:
                    PLACE_SEARCH_ERRORS.labels(self.name).inc()
                raise
            if self._record:
                record_search(self.name, time.perf_counter() - started, result)
            if current is not None:
                current.set_attribute("places.results", len(result.places))
                current.set_attribute("places.failed", result.error is not None)
            return result

    async def aclose(self) -> None:
        await self.inner.aclose()
