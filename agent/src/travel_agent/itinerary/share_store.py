"""Share records (and the generated signing key) in the checkpointer's own database: a
small table on SQLite or PostgreSQL, so every replica sees the same shares.

The tables are created at start-up. On PostgreSQL replicas that start together create
them one at a time under an advisory lock (CREATE TABLE IF NOT EXISTS is not safe against
itself running concurrently); the waiters poll outside any transaction, as the checkpoint
migration does, so neither can block the other."""

from __future__ import annotations

import asyncio
import secrets
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from ..persistence import Persistence

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS travel_trip_shares (
        id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL,
        trip_id TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL,
        revoked_at DOUBLE PRECISION
    )""",
    """CREATE INDEX IF NOT EXISTS travel_trip_shares_by_trip
        ON travel_trip_shares (thread_id, trip_id)""",
    """CREATE TABLE IF NOT EXISTS travel_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
)
#: Any fixed number other than the checkpoint migration's: the share tables' lock.
SHARES_LOCK_KEY = 0x7472_6970_7368  # "tripsh"
LOCK_WAIT_SECONDS = 120


@dataclass(frozen=True)
class ShareRecord:
    id: str
    thread_id: str
    trip_id: str
    created_at: float
    expires_at: float
    revoked_at: float | None

    @property
    def expired(self) -> bool:
        return self.expires_at <= time.time()


class ShareStore:
    def __init__(self, persistence: Persistence) -> None:
        self.persistence = persistence
        self._pg = persistence.pool is not None

    def _sql(self, text: str) -> str:
        return text if self._pg else text.replace("%s", "?")

    @asynccontextmanager
    async def _sqlite(self) -> Any:
        conn = self.persistence.sqlite
        assert conn is not None
        lock = getattr(self.persistence.saver, "lock", None)  # the saver's own write lock
        if lock is None:
            yield conn
            return
        async with lock:
            yield conn

    async def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self._pg:
            assert self.persistence.pool is not None
            async with self.persistence.pool.connection() as conn:
                cur = await conn.execute(sql, args)
                rows = await cur.fetchall() if cur.description else []
                # The pool's connections return dict rows.
                return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]
        async with self._sqlite() as conn:
            cursor = await conn.execute(self._sql(sql), args)
            rows = list(await cursor.fetchall())
            await cursor.close()
            await conn.commit()
            return [tuple(r) for r in rows]

    async def setup(self) -> None:
        if not self._pg:
            for statement in SCHEMA:
                await self._execute(statement.replace("DOUBLE PRECISION", "REAL"))
            return
        assert self.persistence.pool is not None
        async with self.persistence.pool.connection() as conn:
            for _ in range(int(LOCK_WAIT_SECONDS / 0.2)):
                cur = await conn.execute(
                    "SELECT pg_try_advisory_lock(%s) AS ok", (SHARES_LOCK_KEY,)
                )
                row = await cur.fetchone()
                if row and (row["ok"] if isinstance(row, dict) else row[0]):
                    break
                await asyncio.sleep(0.2)
            else:
                raise TimeoutError("another replica has been creating the share tables too long")
            try:
                for statement in SCHEMA:
                    await conn.execute(statement)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (SHARES_LOCK_KEY,))

    async def signing_key(self) -> str:
        """The generated key: the first replica to ask stores one; all read the same."""
        await self._execute(
            self._sql(
                "INSERT INTO travel_secrets (name, value) VALUES (%s, %s) ON CONFLICT DO NOTHING"
            ),
            ("share_signing_key", secrets.token_urlsafe(48)),
        )
        rows = await self._execute(
            self._sql("SELECT value FROM travel_secrets WHERE name = %s"), ("share_signing_key",)
        )
        return str(rows[0][0])

    async def create(self, thread_id: str, trip_id: str, ttl_seconds: float) -> ShareRecord:
        now = time.time()
        record = ShareRecord(
            id=secrets.token_urlsafe(12),
            thread_id=thread_id,
            trip_id=trip_id,
            created_at=now,
            expires_at=now + ttl_seconds,
            revoked_at=None,
        )
        await self._execute(
            self._sql(
                "INSERT INTO travel_trip_shares "
                "(id, thread_id, trip_id, created_at, expires_at, revoked_at) "
                "VALUES (%s, %s, %s, %s, %s, NULL)"
            ),
            (record.id, thread_id, trip_id, record.created_at, record.expires_at),
        )
        return record

    async def get(self, share_id: str) -> ShareRecord | None:
        rows = await self._execute(
            self._sql(
                "SELECT id, thread_id, trip_id, created_at, expires_at, revoked_at "
                "FROM travel_trip_shares WHERE id = %s"
            ),
            (share_id,),
        )
        return ShareRecord(*rows[0]) if rows else None

    async def for_trip(self, thread_id: str, trip_id: str) -> list[ShareRecord]:
        rows = await self._execute(
            self._sql(
                "SELECT id, thread_id, trip_id, created_at, expires_at, revoked_at "
                "FROM travel_trip_shares WHERE thread_id = %s AND trip_id = %s "
                "ORDER BY created_at"
            ),
            (thread_id, trip_id),
        )
        return [ShareRecord(*r) for r in rows]

    async def revoke(self, thread_id: str, trip_id: str, share_id: str) -> bool:
        """Revoke a share of this thread's trip; False when there is no such share."""
        rows = await self._execute(
            self._sql(
                "UPDATE travel_trip_shares SET revoked_at = COALESCE(revoked_at, %s) "
                "WHERE id = %s AND thread_id = %s AND trip_id = %s RETURNING id"
            ),
            (time.time(), share_id, thread_id, trip_id),
        )
        return bool(rows)

    async def expire_now(self, share_id: str) -> None:
        """Tests and operators: end a share as if its time were up."""
        await self._execute(
            self._sql("UPDATE travel_trip_shares SET expires_at = %s WHERE id = %s"),
            (time.time() - 1, share_id),
        )
