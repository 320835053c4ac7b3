"""How names and queries are compared: case, accents and punctuation do not matter.

The build script stores names already normalised with `normalize`, so the same function
must be used on queries at run time (the index freshness test guards that).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters NFKD does not decompose but that people type without their stroke or ligature.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "ŀ": "l",
    }
)
_APOSTROPHES = re.compile(r"['’‘`ʻʼ]")


def _is_word_char(char: str) -> bool:
    # Marks count as letters: Devanagari or Thai vowel signs are part of their words.
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _split_words(text: str) -> list[str]:
    out = [char if _is_word_char(char) else " " for char in text]
    return "".join(out).split()


@lru_cache(maxsize=32_768)
def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form: "São Paulo!" -> "sao paulo".

    Cached: the planner and the provider normalise the same names (trip places, city
    names) over and over, and a pure function of a short string is cheap to remember.

    Accents are dropped only from Latin letters; other scripts keep their marks so that
    distinct names (e.g. Devanagari vowel signs) stay distinct.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    previous_latin = False
    for char in decomposed:
        if unicodedata.combining(char):
            if previous_latin:
                continue
        else:
            previous_latin = ord(char) < 0x250
        kept.append(char)
    folded = unicodedata.normalize("NFC", "".join(kept)).casefold().translate(_FOLD)
    return " ".join(_split_words(_APOSTROPHES.sub("", folded)))


def tokens(text: str) -> list[str]:
    """The words of `text` after `normalize`."""
    return normalize(text).split()


def stem(token: str) -> str:
    """A crude plural fold for matching landmark names ("towers" ~ "tower").

    Applied to both sides of a comparison, so it only has to be consistent, not right.
    """
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def slug(text: str) -> str:
    """A stable id fragment: "St. Peter's Basilica" -> "st-peters-basilica"."""
    return normalize(text).replace(" ", "-")


class Word:
    """One normalised word of a text, with how it was written (for telling names apart)."""

    __slots__ = ("capitalised", "norm", "upper")

    def __init__(self, norm: str, capitalised: bool, upper: bool) -> None:
        self.norm = norm
        self.capitalised = capitalised  # "Rome", "ROME"
        self.upper = upper  # "NYC", "JFK": codes are written this way

    def __repr__(self) -> str:
        return f"Word({self.norm!r})"


def words_of(text: str) -> list[Word]:
    """The normalised words of `text`, each knowing whether it was capitalised."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFC", text))
    words: list[Word] = []
    for piece in _split_words(text):
        capitalised = piece[:1].isupper()
        upper = len(piece) > 1 and piece.isupper()
        words.extend(Word(t, capitalised, upper) for t in normalize(piece).split())
    return words
