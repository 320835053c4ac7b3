"""Secrets out of text: every configured secret, and the userinfo of any URL.

Applied to every log line whatever logger wrote it (logs.py), so an upstream error body
that echoes an API key, httpx's request line with `user:pass@` in the URL, or a traceback
holding a database password never reach the logs."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, SecretStr

REDACTED = "[redacted]"

# scheme://user:password@ or scheme://token@ : whatever stands before the host.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s@\"'<>]+)@")


def _url_secrets(value: str) -> list[str]:
    """The password (and user) a URL carries, as written, percent-decoded and as the
    HTTP client sends them (`Authorization: Basic base64(user:password)`, which an
    upstream may echo)."""
    if "://" not in value:
        return []
    try:
        parts = urlsplit(value)
    except ValueError:
        return []
    found: list[str] = []
    for part in (parts.password, parts.username if parts.password else None):
        if part:
            found += [part, unquote(part)]
    if parts.password:
        basic = f"{unquote(parts.username or '')}:{unquote(parts.password)}"
        found.append(base64.b64encode(basic.encode()).decode())
    return found


def secrets_of(settings: BaseModel) -> list[str]:
    """Every value of a settings object that must not be seen: each `SecretStr` field,
    and the userinfo of each URL among its fields (OPENAI_BASE_URL, DATABASE_URL)."""
    found: list[str] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            raw = value.get_secret_value()
            if raw:
                found += [raw, *_url_secrets(raw)]
        elif isinstance(value, str):
            found += _url_secrets(value)
    return found


class Redactor:
    """Replaces each known secret (and its JSON-escaped form) and any URL userinfo."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        variants: set[str] = set()
        for secret in secrets:
            if secret:
                # As written, inside a JSON string, and inside a Python repr.
                variants |= {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]}
        # Longest first, so a secret that contains another is removed whole.
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)))
            if variants
            else None
        )

    def __call__(self, text: str) -> str:
        text = _USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
        if self._pattern is not None:
            text = self._pattern.sub(REDACTED, text)
        return text
