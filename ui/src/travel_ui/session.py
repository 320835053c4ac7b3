"""The conversation's thread id in a signed cookie, and CSRF tokens bound to it.

The ui keeps no state: the cookie is the only link between a browser and its thread.
It is signed so nobody can pick another person's thread id, and HttpOnly so page
scripts never see it. The CSRF token is a second signature of the same thread id
(different salt), which the page must echo in `X-CSRF-Token` on every change.
"""

from __future__ import annotations

import hmac
import logging
import secrets

from itsdangerous import BadSignature, Signer

from travel_kit.ids import is_thread_id

from .settings import Settings

COOKIE_NAME = "travel_thread"

log = logging.getLogger(__name__)


def new_thread_id() -> str:
    return secrets.token_urlsafe(24)


def resolve_secret_key(settings: Settings) -> bytes:
    if settings.ui_secret_key is not None and settings.ui_secret_key.get_secret_value():
        return settings.ui_secret_key.get_secret_value().encode()
    log.warning(
        "UI_SECRET_KEY is not set: using a random key for this process. Sessions end when it "
        "restarts, and several ui replicas behind one address need one shared UI_SECRET_KEY."
    )
    return secrets.token_bytes(32)


class Sessions:
    def __init__(self, secret_key: bytes, settings: Settings) -> None:
        self._cookie_signer = Signer(secret_key, salt="travel-ui.thread-cookie")
        self._csrf_signer = Signer(secret_key, salt="travel-ui.csrf")
        self.secure = settings.cookie_secure
        self.max_age = settings.cookie_max_age_days * 24 * 3600

    def cookie_value(self, thread_id: str) -> str:
        return self._cookie_signer.sign(thread_id).decode()

    def thread_id_from_cookie(self, value: str | None) -> str | None:
        """The thread id in a cookie, or None when it is missing, forged or malformed."""
        if not value:
            return None
        try:
            thread_id = self._cookie_signer.unsign(value).decode()
        except BadSignature:
            return None
        return thread_id if is_thread_id(thread_id) else None

    def csrf_token(self, thread_id: str) -> str:
        return self._csrf_signer.get_signature(thread_id).decode()

    def csrf_ok(self, thread_id: str, token: str | None) -> bool:
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self._csrf_signer.get_signature(thread_id))
