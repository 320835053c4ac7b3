"""The thread-id rule, one place for both services and the API schema."""

from __future__ import annotations

import re

#: For JSON Schema (ECMA-262): there `$` does not match before a trailing newline.
THREAD_ID_PATTERN = r"^[A-Za-z0-9_-]{8,128}$"
#: For Python: `\Z`, not `$`, so "abcdefgh\n" fails whether a caller uses match or fullmatch.
THREAD_ID = re.compile(r"\A[A-Za-z0-9_-]{8,128}\Z")


def is_thread_id(value: str) -> bool:
    return THREAD_ID.fullmatch(value) is not None
