"""Start-up with settings that may be invalid: one sentence on stderr, exit status 2."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

S = TypeVar("S")

#: Exit status when a setting is invalid (as uvicorn's own command line uses).
INVALID_SETTINGS = 2


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
