"""The thread-id rule: 8 to 128 letters, digits, '-' or '_', the whole string (a trailing
newline is not allowed: `re.match(... $)` would let `abcdefgh\n` through)."""

from __future__ import annotations

import re

_RULE = re.compile(r"[A-Za-z0-9_-]{8,128}")

#: The rule as a JSON-schema pattern (ECMA-262 `$` matches only at the very end).
THREAD_ID_PATTERN = f"^{_RULE.pattern}$"


def is_thread_id(value: str) -> bool:
    return _RULE.fullmatch(value) is not None
