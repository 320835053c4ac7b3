"""Dates as people write them: "2027-03-12", "12 March", "March 12th", "5 May 2027"."""

from __future__ import annotations

import datetime as dt
import re

MONTHS: dict[str, int] = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:\s+(\d{4}))?"
_ISO = re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b")
_DAY_MONTH = re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}\b{_YEAR}")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}")


def find_date(text: str, today: dt.date) -> dt.date | None:
    """The first date in `text` (lower case, digits kept); a day and month without a year
    is the next such day from `today`."""
    if m := _ISO.search(text):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _DAY_MONTH.search(text):
        return _dated(int(m[1]), MONTHS[m[2]], m[3], today)
    if m := _MONTH_DAY.search(text):
        return _dated(int(m[2]), MONTHS[m[1]], m[3], today)
    return None


def _dated(day: int, month: int, year: str | None, today: dt.date) -> dt.date | None:
    if year:
        return _make(int(year), month, day)
    found = _make(today.year, month, day)
    if found is not None and found < today:
        found = _make(today.year + 1, month, day)
    return found


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
