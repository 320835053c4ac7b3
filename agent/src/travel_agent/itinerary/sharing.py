"""Share links: the token is the share record's id, signed (itsdangerous), so a guessed
or altered token is refused before the database is asked. Expiry and revocation live in
the record, so the owner can end a link at any time."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from ..settings import Settings
from .share_store import ShareRecord, ShareStore

SALT = "travel.trip-share.v1"


class ShareNotFound(Exception):
    """Unknown or altered token (404)."""


class ShareGone(Exception):
    """Expired or revoked share (410); the message is for the person."""


@dataclass
class Shares:
    store: ShareStore
    serializer: URLSafeSerializer
    ttl_seconds: float

    @classmethod
    async def open(cls, store: ShareStore, settings: Settings) -> Shares:
        await store.setup()
        key = (
            settings.share_signing_key.get_secret_value()
            if settings.share_signing_key
            else await store.signing_key()
        )
        return cls(store, URLSafeSerializer(key, salt=SALT), settings.share_ttl_days * 86400.0)

    def token(self, record: ShareRecord) -> str:
        return str(self.serializer.dumps(record.id))

    async def create(self, thread_id: str, trip_id: str) -> tuple[ShareRecord, str]:
        record = await self.store.create(thread_id, trip_id, self.ttl_seconds)
        return record, self.token(record)

    async def resolve(self, token: str) -> ShareRecord:
        """The live share a token names, or ShareNotFound / ShareGone."""
        try:
            share_id = self.serializer.loads(token)
        except BadSignature as exc:
            raise ShareNotFound from exc
        record = await self.store.get(str(share_id))
        if record is None:
            raise ShareNotFound
        if record.revoked_at is not None:
            raise ShareGone("This share link was turned off by its owner.")
        if record.expired:
            raise ShareGone("This share link has expired.")
        return record
