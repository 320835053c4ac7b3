"""The PostgreSQL side of checkpoint_pruning (its docstring says what and why): apart, so
that a SQLite service never imports psycopg."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg_pool import AsyncConnectionPool

from .checkpoint_cache import CachingSerializer
from .checkpoint_pruning import MIGRATION, _KeepsLatest, log
from .storage_messages import PostgresMessageStore

# Another writer on the same thread (a replica's prune, a run) makes a keep_latest prune
# fail; the thread's next checkpoint prunes it again, so these are logged, not raised.
_PRUNE_CONFLICTS = (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)


class PruningPostgresSaver(_KeepsLatest, AsyncPostgresSaver):
    """AsyncPostgresSaver that prunes a thread (its older checkpoints, their writes, and the
    blobs no kept checkpoint references) once it saved a new one."""

    def __init__(
        self,
        pool: AsyncConnectionPool[Any],
        *,
        serde: CachingSerializer,
        keep: int,
        cache_bytes: int,
    ) -> None:
        super().__init__(pool, serde=serde)
        self.messages = PostgresMessageStore(pool, serde, keep, cache_bytes)
        self.pool = pool

    async def setup(self) -> None:
        await super().setup()
        await self.messages.setup()

    async def _prune(self, thread_id: str, ns: str, keep_id: str) -> None:
        """As the SQLite saver's prune: the namespace's checkpoints older than `keep_id`, their
        writes, and the blobs only they used, in one statement (one round trip; the library's
        keep_latest took 7 to 11 unprepared ones per save). The graph has no subgraph and no
        DeltaChannel, which keep_latest (still the migration's, below) also handles."""
        try:
            async with self.pool.connection() as conn:
                await conn.execute(_PRUNE_BEFORE, {"t": thread_id, "ns": ns, "keep": keep_id})
        except psycopg.Error:
            log.warning("could not prune old checkpoints", exc_info=True)


# One snapshot for every part: a checkpoint newer than `keep` (another writer's) is never
# touched, nor the blobs a kept checkpoint references.
_PRUNE_BEFORE = """
WITH gone AS (
    DELETE FROM checkpoints
    WHERE thread_id = %(t)s AND checkpoint_ns = %(ns)s AND checkpoint_id < %(keep)s
    RETURNING checkpoint_id, checkpoint -> 'channel_versions' AS versions
), writes AS (
    DELETE FROM checkpoint_writes
    WHERE thread_id = %(t)s AND checkpoint_ns = %(ns)s
    AND checkpoint_id IN (SELECT checkpoint_id FROM gone)
), freed AS (
    SELECT DISTINCT v.key AS channel, v.value AS version
    FROM gone CROSS JOIN LATERAL jsonb_each_text(gone.versions) AS v
), blobs AS (
    DELETE FROM checkpoint_blobs b USING freed f
    WHERE b.thread_id = %(t)s AND b.checkpoint_ns = %(ns)s
    AND b.channel = f.channel AND b.version = f.version
    AND NOT EXISTS (
        SELECT 1 FROM checkpoints c
        WHERE c.thread_id = %(t)s AND c.checkpoint_ns = %(ns)s AND c.checkpoint_id >= %(keep)s
        AND c.checkpoint -> 'channel_versions' ->> f.channel = f.version
    )
)
UPDATE checkpoints SET parent_checkpoint_id = NULL
WHERE thread_id = %(t)s AND checkpoint_ns = %(ns)s AND checkpoint_id = %(keep)s
AND parent_checkpoint_id IS NOT NULL
"""


async def prune_postgres_threads(saver: AsyncPostgresSaver, thread_ids: Sequence[str]) -> int:
    """Prunes each thread in its own transaction; returns how many were pruned."""
    pruned = 0
    for thread_id in thread_ids:
        try:
            await saver.aprune([thread_id], strategy="keep_latest")
            pruned += 1
        except _PRUNE_CONFLICTS:
            log.info("checkpoint prune met another writer; the next save prunes again")
        except psycopg.Error:
            log.warning("could not prune old checkpoints", exc_info=True)
    return pruned


async def prune_all_once_postgres(conn: Any, saver: AsyncPostgresSaver) -> int | None:
    """The same migration on PostgreSQL. Call it holding the migration lock (`conn` holds
    it), so that one replica runs it; replicas still on older code may keep writing
    meanwhile (keep_latest reads each thread on one snapshot). Returns the threads
    pruned, or None when it had already run."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS travel_storage_migrations"
        " (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    cur = await conn.execute(
        "SELECT 1 AS done FROM travel_storage_migrations WHERE name = %s",
        (MIGRATION,),
    )
    if await cur.fetchone() is not None:
        return None
    cur = await conn.execute("SELECT DISTINCT thread_id FROM checkpoints")
    thread_ids = [str(row["thread_id"]) for row in await cur.fetchall()]
    pruned = await prune_postgres_threads(saver, thread_ids)
    await conn.execute(
        "INSERT INTO travel_storage_migrations (name) VALUES (%s) ON CONFLICT DO NOTHING",
        (MIGRATION,),
    )
    log.info("pruned old checkpoints", extra={"threads": pruned, "of": len(thread_ids)})
    return pruned
