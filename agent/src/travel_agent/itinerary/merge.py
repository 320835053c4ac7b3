"""What a day change changes, and applying only part of it.

A place "moved" when its day changed, or when it left the longest common order of its
day (so moving one place within a day counts one place, not every place it jumped over).
Approving a subset of places: the picked places go where the proposal puts them; every
other place stays in the day and at the position it had (or becomes "not yet scheduled"
when its day no longer exists). Day records (ids, dates, titles) and the start date come
from the proposal."""

from __future__ import annotations

from ..models import Day


def _lcs(a: list[str], b: list[str]) -> set[str]:
    """Items of the longest common subsequence of a and b (O(len a × len b))."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    out: set[str] = set()
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.add(a[i])
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def _where(days: list[Day]) -> dict[str, str]:
    return {pid: d.id for d in days for pid in d.place_ids}


def moved_place_ids(before: list[Day], after: list[Day]) -> set[str]:
    """Places whose day or order the change alters (new places in `after` included)."""
    old, new = _where(before), _where(after)
    moved = {pid for pid in old.keys() | new.keys() if old.get(pid) != new.get(pid)}
    old_days = {d.id: d.place_ids for d in before}
    for day in after:
        prev = old_days.get(day.id)
        if prev is None:
            continue
        common_before = [p for p in prev if new.get(p) == day.id]
        common_after = [p for p in day.place_ids if old.get(p) == day.id]
        keep = _lcs(common_before, common_after)
        moved.update(p for p in common_after if p not in keep)
    return moved


def merge_days(
    before: list[Day], after: list[Day], picked: set[str] | None, places: set[str]
) -> list[Day]:
    """The days after approving `picked` (None: all) of a change, over the places kept."""
    if picked is None:
        return [
            d.model_copy(update={"place_ids": [p for p in d.place_ids if p in places]})
            for d in after
        ]
    new_pos = {pid: i for d in after for i, pid in enumerate(d.place_ids)}
    old_days = {d.id: d.place_ids for d in before}
    out: list[Day] = []
    for day in after:
        # Places not picked that were in this day keep their order there ...
        seq = [p for p in old_days.get(day.id, []) if p not in picked and p in places]
        # ... and picked places are put at the positions the proposal gives them.
        for p in day.place_ids:
            if p in picked and p in places:
                seq.insert(min(new_pos[p], len(seq)), p)
        out.append(day.model_copy(update={"place_ids": seq}))
    # A place not picked whose day is gone is in no day now: "not yet scheduled".
    return out
