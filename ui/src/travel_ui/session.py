"""The conversation's thread id (and the traveller's id) in a signed cookie, and CSRF
tokens bound to the thread.

The ui keeps no state: the cookie is the only link between a browser and its thread. The
traveller id names this browser's person to the agent, which keeps which conversations
are theirs; cookies from before it existed carry only a thread id and get one added.
It is signed so nobody can pick another person's thread id, and HttpOnly so page
scripts never see it. The CSRF token is a second signature of the same thread id
(different salt), which the page must echo in `X-CSRF-Token` on every change.
"""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, Signer
from starlette.responses import Response

from travel_kit.ids import is_thread_id

from .settings import Settings

COOKIE_NAME = "travel_thread"


def new_thread_id() -> str:
    return secrets.token_urlsafe(24)


def new_traveller_id() -> str:
    return secrets.token_urlsafe(24)


class Sessions:
    def __init__(self, secret_key: bytes, settings: Settings) -> None:
        self._cookie_signer = Signer(secret_key, salt="travel-ui.thread-cookie")
        self._csrf_signer = Signer(secret_key, salt="travel-ui.csrf")
        self._key_signer = Signer(secret_key, salt="travel-ui.conversation-key")
        self.secure = settings.cookie_secure
        self.max_age = settings.cookie_max_age_days * 24 * 3600

    def cookie_value(self, thread_id: str, traveller_id: str | None = None) -> str:
        payload = f"{thread_id}:{traveller_id}" if traveller_id else thread_id
        return self._cookie_signer.sign(payload).decode()

    def set_thread_cookie(
        self, response: Response, thread_id: str, traveller_id: str | None = None
    ) -> None:
        """The signed, HttpOnly thread cookie on `response` (renewed on every visit)."""
        response.set_cookie(
            COOKIE_NAME,
            self.cookie_value(thread_id, traveller_id),
            max_age=self.max_age,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )

    def session_from_cookie(self, value: str | None) -> tuple[str, str | None] | None:
        """(thread id, traveller id or None) in a cookie, or None when it is missing,
        forged or malformed."""
        if not value:
            return None
        try:
            payload = self._cookie_signer.unsign(value).decode()
        except BadSignature:
            return None
        thread_id, _, traveller_id = payload.partition(":")
        if not is_thread_id(thread_id):
            return None
        if traveller_id and not is_thread_id(traveller_id):
            return None
        return thread_id, traveller_id or None

    def thread_id_from_cookie(self, value: str | None) -> str | None:
        """The thread id in a cookie, or None when it is missing, forged or malformed."""
        found = self.session_from_cookie(value)
        return found[0] if found else None

    def conversation_key(self, thread_id: str) -> str:
        """What the page calls a conversation: page scripts never learn thread ids."""
        return self._key_signer.get_signature(thread_id).decode()[:22]

    def csrf_token(self, thread_id: str) -> str:
        return self._csrf_signer.get_signature(thread_id).decode()

    def csrf_ok(self, thread_id: str, token: str | None) -> bool:
        if not token:
            return False
        return hmac.compare_digest(token.encode(), self._csrf_signer.get_signature(thread_id))
