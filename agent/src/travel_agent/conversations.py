"""Which conversations (threads) belong to which traveller, so a person can list, reopen,
rename and delete theirs.

A small table next to the checkpoints, in the checkpointer's own database (SQLite file or
PostgreSQL, through `Persistence`'s connection or pool). It is created at start-up; on
PostgreSQL under a transaction-scoped advisory lock, since replicas starting together
would otherwise race in CREATE TABLE IF NOT EXISTS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .persistence import Persistence

# Any fixed number, different from the checkpoint migration's.
SETUP_LOCK_KEY = 0x7472_6176_636E  # "travcn"
MAX_LISTED = 100
TITLE_MAX = 120

_CREATE = """
CREATE TABLE IF NOT EXISTS travel_conversations (
    traveller_id TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    title TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (traveller_id, thread_id)
)
"""
_INDEX = """
CREATE INDEX IF NOT EXISTS travel_conversations_recent
    ON travel_conversations (traveller_id, updated_at DESC)
"""


@dataclass(frozen=True)
class Conversation:
    thread_id: str
    title: str | None
    created_at: float
    updated_at: float


class Conversations:
    def __init__(self, persistence: Persistence) -> None:
        self._p = persistence

    async def _run(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self._p.pool is not None:
            async with self._p.pool.connection() as conn:
                cur = await conn.execute(query, params)
                if cur.description is None:
                    return []
                return [tuple(row.values()) for row in await cur.fetchall()]
        assert self._p.sqlite is not None
        conn_s = self._p.sqlite
        # The same statements for both databases; only the placeholder differs.
        async with conn_s.execute(query.replace("%s", "?"), params) as cursor:
            rows = [tuple(row) for row in await cursor.fetchall()]
        await conn_s.commit()
        return rows

    async def setup(self) -> None:
        if self._p.pool is not None:
            async with self._p.pool.connection() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SETUP_LOCK_KEY,))
                await conn.execute(_CREATE)
                await conn.execute(_INDEX)
            return
        await self._run(_CREATE)
        await self._run(_INDEX)

    async def touch(self, traveller_id: str, thread_id: str) -> None:
        """Records the thread as the traveller's, most recent first from now on."""
        now = time.time()
        await self._run(
            "INSERT INTO travel_conversations"
            " (traveller_id, thread_id, title, created_at, updated_at)"
            " VALUES (%s, %s, NULL, %s, %s)"
            " ON CONFLICT (traveller_id, thread_id) DO UPDATE SET updated_at = %s",
            (traveller_id, thread_id, now, now, now),
        )

    async def list(self, traveller_id: str) -> list[Conversation]:
        rows = await self._run(
            "SELECT thread_id, title, created_at, updated_at FROM travel_conversations"
            " WHERE traveller_id = %s ORDER BY updated_at DESC, thread_id LIMIT %s",
            (traveller_id, MAX_LISTED),
        )
        return [Conversation(str(r[0]), r[1], float(r[2]), float(r[3])) for r in rows]

    async def owns(self, traveller_id: str, thread_id: str) -> bool:
        rows = await self._run(
            "SELECT 1 FROM travel_conversations WHERE traveller_id = %s AND thread_id = %s",
            (traveller_id, thread_id),
        )
        return bool(rows)

    async def rename(self, traveller_id: str, thread_id: str, title: str | None) -> bool:
        rows = await self._run(
            "UPDATE travel_conversations SET title = %s"
            " WHERE traveller_id = %s AND thread_id = %s RETURNING thread_id",
            (title, traveller_id, thread_id),
        )
        return bool(rows)

    async def forget(self, traveller_id: str, thread_id: str) -> bool:
        rows = await self._run(
            "DELETE FROM travel_conversations"
            " WHERE traveller_id = %s AND thread_id = %s RETURNING thread_id",
            (traveller_id, thread_id),
        )
        return bool(rows)
