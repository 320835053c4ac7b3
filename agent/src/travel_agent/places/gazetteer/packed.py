"""Memory-lean storage for the gazetteer's 120,000+ city names.

A dict of that many short strings costs tens of MB of Python objects. Instead the sorted
names are kept in one string with an array of offsets, and looked up by binary search
(`bisect` over a sequence view): a few microseconds per lookup and a few MB in total.
Integer arrays travel in the index file as base64 of little-endian uint32.
"""

from __future__ import annotations

import base64
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence


def pack_ints(values: Iterable[int]) -> str:
    packed = array("I", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def unpack_ints(text: str) -> array[int]:
    packed = array("I")
    if packed.itemsize != 4:
        raise RuntimeError("the gazetteer index needs 4-byte unsigned ints")
    packed.frombytes(base64.b64decode(text))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed


def pack_name_table(mapping: Mapping[str, Sequence[int]]) -> dict[str, dict[str, str]]:
    """Serialises {name: [ids]} for `NameTable`; ids keep their order.

    ASCII names and the rest go in separate strings: one character beyond the Basic
    Multilingual Plane would make CPython store the whole string at four bytes a character.
    """
    ascii_names = {k: v for k, v in mapping.items() if k.isascii()}
    other_names = {k: v for k, v in mapping.items() if not k.isascii()}
    return {"ascii": _pack_part(ascii_names), "other": _pack_part(other_names)}


def _pack_part(mapping: Mapping[str, Sequence[int]]) -> dict[str, str]:
    names = sorted(mapping)
    name_offsets = [0]
    id_offsets = [0]
    ids: list[int] = []
    for name in names:
        name_offsets.append(name_offsets[-1] + len(name))
        ids.extend(mapping[name])
        id_offsets.append(len(ids))
    return {
        "names": "".join(names),
        "name_offsets": pack_ints(name_offsets),
        "id_offsets": pack_ints(id_offsets),
        "ids": pack_ints(ids),
    }


class _Part(Sequence[str]):
    """Sorted names -> lists of ids; `part[i]` is the i-th name (for `bisect`)."""

    def __init__(self, packed: Mapping[str, str]) -> None:
        self._names = packed["names"]
        self._name_offsets = unpack_ints(packed["name_offsets"])
        self._id_offsets = unpack_ints(packed["id_offsets"])
        self._ids = unpack_ints(packed["ids"])

    def __len__(self) -> int:
        return len(self._name_offsets) - 1

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        return self._names[self._name_offsets[i] : self._name_offsets[i + 1]]

    def get(self, name: str) -> tuple[int, ...]:
        i = bisect_left(self, name)
        if i < len(self) and self[i] == name:
            return tuple(self._ids[self._id_offsets[i] : self._id_offsets[i + 1]])
        return ()

    def has_prefix(self, prefix: str) -> bool:
        i = bisect_left(self, prefix)
        return i < len(self) and self[i].startswith(prefix)


class NameTable:
    """Names -> lists of ids, packed as written by `pack_name_table`."""

    def __init__(self, packed: Mapping[str, Mapping[str, str]]) -> None:
        self._ascii = _Part(packed["ascii"])
        self._other = _Part(packed["other"])

    def get(self, name: str) -> tuple[int, ...]:
        """The ids stored under exactly this name, in stored order."""
        return (self._ascii if name.isascii() else self._other).get(name)

    def has_prefix(self, prefix: str) -> bool:
        """True when some stored name starts with `prefix`."""
        if prefix.isascii() and self._ascii.has_prefix(prefix):
            return True
        return self._other.has_prefix(prefix)
