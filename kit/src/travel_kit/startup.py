"""Start-up with settings that may be invalid: one sentence on stderr, exit status 2."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

S = TypeVar("S")

#: Exit status when a setting is invalid (as uvicorn's own command line uses).
INVALID_SETTINGS = 2
#: Exit status when the server could not start (uvicorn.run's).
STARTUP_FAILURE = 3


def describe(exc: ValidationError) -> str:
    """Names and reasons only: a value could be a secret."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
    )


def load_settings(program: str, load: Callable[[], S]) -> S:
    """`load()`, or exit 2 with `<program>: invalid settings: NAME: reason; ...`."""
    try:
        return load()
    except ValidationError as exc:
        print(f"{program}: invalid settings: {describe(exc)}", file=sys.stderr)
        sys.exit(INVALID_SETTINGS)


def pause_collection() -> None:
    """Turn the cyclic garbage collector off while the service imports and builds what it
    serves. Start-up allocates a few hundred thousand long-lived objects and next to no
    garbage (about 3,000 unreachable objects), but the collector would still walk the
    growing heap again and again: a quarter of start-up's CPU (0.25 s of 1.5 s offline,
    0.6 s of 2.1 s with the OpenAI SDK; see bench/RESULTS.md)."""
    gc.disable()


def resume_collection() -> None:
    """Once ready: move everything start-up built out of the collector's reach for good
    (`gc.freeze`: later collections no longer walk it) and turn the collector back on."""
    gc.freeze()
    gc.enable()
