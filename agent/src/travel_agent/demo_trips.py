"""The two trips every new thread starts with (the original app's demo data, in
demo_trips.json next to this module)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import TypeAdapter

from .models import Trip

_TRIPS = TypeAdapter(list[Trip])


@cache
def _table() -> bytes:
    return resources.files("travel_agent").joinpath("demo_trips.json").read_bytes()


def demo_trips() -> list[Trip]:
    # Fresh objects each time: a new thread's trips are its own.
    return _TRIPS.validate_json(_table())
