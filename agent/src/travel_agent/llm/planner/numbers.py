"""Numbers and durations as people write them: "four days", "a fortnight", "a couple"."""

from __future__ import annotations

import re

UNITS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
    "couple": 2, "pair": 2, "few": 3, "several": 3, "handful": 4, "dozen": 12,
}  # fmt: skip
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
}  # fmt: skip
_NUMBER = r"(\d{1,2}|" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")"
_DAYS = re.compile(
    rf"\b(?:a\s+)?{_NUMBER}(?:\s+of)?(?:\s+(?:full|whole|more))?[\s-]*(day|days|night|nights|week|weeks)\b"
)


def number(word: str) -> int | None:
    """ "4" or "four" -> 4; None for other words."""
    if word.isdigit():
        return int(word)
    return UNITS.get(word)


def day_count(norm: str) -> int | None:
    """How many days a normalised sentence asks for, if it says: "four days" 4, "3-day" 3,
    "a week" 7, "a fortnight" 14, "a long weekend" 3, "the weekend" 2, "2 nights" 3."""
    if re.search(r"\bfortnight\b", norm):
        return 14
    if re.search(r"\blong weekend\b", norm):
        return 3
    if m := _DAYS.search(norm):
        n = number(m[1])
        if n is not None:
            unit = m[2]
            if unit.startswith("week"):
                return n * 7
            if unit.startswith("night"):
                return n + 1
            return n
    if re.search(r"\bweekend\b", norm):
        return 2
    if re.search(r"\bday trip\b", norm):
        return 1
    return None


def count_before(norm: str, kind_words: str) -> int | None:
    """The count written before a kind of place: "two cafes" 2, "a couple of museums" 2."""
    m = re.search(rf"\b{_NUMBER}(?:\s+of)?\s+(?:more\s+|good\s+|nice\s+)?{kind_words}", norm)
    if m is None:
        return None
    n = number(m[1])
    return None if n is None or m[1] in {"a", "an"} else n


def day_number(norm: str) -> int | None:
    """Which day a sentence names: "day 2", "day two", "the second day" -> 2."""
    if m := re.search(rf"\bday\s+{_NUMBER}\b", norm):
        return number(m[1])
    pattern = r"\b(" + "|".join(ORDINALS) + r")\s+day\b"
    if m := re.search(pattern, norm):
        return ORDINALS[m[1]]
    return None
