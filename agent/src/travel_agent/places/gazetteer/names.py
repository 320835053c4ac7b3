"""Matching a query against landmark names ("Eiffel Tower", "colosseum", "sagrada").

A landmark matches when every word of one of its names is in the query (a full match:
"tower of london"), or when the query shares a distinctive word with a name ("eiffel";
generic words such as "tower" or "museum" do not count, nor do the words that named the
city). Only the best kind of match is kept, so "Golden Gate Bridge" does not also bring
the Golden Pavilion.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .index import GazetteerIndex, is_distinctive
from .text import stem
from .words import NAME_STOPWORDS


@dataclass(frozen=True, slots=True)
class NameMatch:
    landmark: int
    full: bool
    distinctive: int
    coverage: float  # share of the matched name's words found in the query

    @property
    def strength(self) -> tuple[bool, int]:
        return (self.full, self.distinctive)


def match_names(
    index: GazetteerIndex,
    query_words: Iterable[str],
    *,
    weak_words: Collection[str] = (),
    within: Collection[int] | None = None,
) -> list[NameMatch]:
    """Landmarks whose names match the query, strongest kind of match only.

    `weak_words` (the words that named a curated city, filler words) may complete a full
    match ("Tower of London") but do not identify a landmark alone ("London").
    `within` limits the search to some landmarks (those of one city).
    """
    raw = {w for w in query_words if w not in NAME_STOPWORDS}
    if not raw:
        return []
    stems = {stem(w) for w in raw}
    excluded = {stem(w) for w in weak_words}
    candidates: set[int] = set()
    for s in stems:
        candidates.update(index.landmark_stems.get(s, ()))
    if within is not None:
        candidates &= set(within)
    matches: list[NameMatch] = []
    for idx in candidates:
        best: NameMatch | None = None
        for variant_raw, variant_stems in index.landmarks[idx].variants:
            if not variant_raw:
                continue
            common = variant_stems & stems
            full = variant_raw <= raw
            distinctive = sum(1 for s in common if is_distinctive(s) and s not in excluded)
            if not full and not distinctive:
                continue
            match = NameMatch(idx, full, distinctive, len(common) / len(variant_stems))
            if best is None or (match.strength, match.coverage) > (best.strength, best.coverage):
                best = match
        if best is not None:
            matches.append(best)
    if not matches:
        return []
    top = max(m.strength for m in matches)
    kept = [m for m in matches if m.strength == top]
    kept.sort(key=lambda m: (-m.coverage, index.landmarks[m.landmark].order))
    return kept
