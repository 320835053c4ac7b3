"""How much a thread stores: logical bytes (the sum of its rows' sizes, which a WAL or free
pages in the file would hide) and its number of checkpoints. For benchmarks, tests and
operators looking at a thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiosqlite

from .persistence import Persistence

if TYPE_CHECKING:
    import psycopg

_SQLITE = {
    "checkpoints": "length(checkpoint_id) + coalesce(length(parent_checkpoint_id), 0)"
    " + coalesce(length(type), 0) + coalesce(length(checkpoint), 0)"
    " + coalesce(length(metadata), 0)",
    "writes": "length(checkpoint_id) + length(task_id) + length(task_path) + length(channel)"
    " + coalesce(length(type), 0) + coalesce(length(value), 0)",
    # A thread's older messages (storage_messages), with their 8-byte seq.
    "travel_messages": "8 + length(thread_id) + length(message_id) + length(type) + length(data)",
}
_POSTGRES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes", "travel_messages")


@dataclass(frozen=True)
class ThreadUsage:
    bytes: int
    checkpoints: int


async def thread_usage(persistence: Persistence, thread_id: str) -> ThreadUsage:
    if persistence.sqlite is not None:
        return await sqlite_thread_usage(persistence.sqlite, thread_id)
    assert persistence.pool is not None
    async with persistence.pool.connection() as conn:
        return await postgres_thread_usage(conn, thread_id)


async def sqlite_thread_usage(conn: aiosqlite.Connection, thread_id: str) -> ThreadUsage:
    total = 0
    for table, size in _SQLITE.items():
        sql = f"SELECT coalesce(sum({size}), 0) FROM {table} WHERE thread_id = ?"  # noqa: S608 (constants)
        async with conn.execute(sql, (thread_id,)) as cursor:
            row = await cursor.fetchone()
            total += int(row[0]) if row else 0
    async with conn.execute(
        "SELECT count(*) FROM checkpoints WHERE thread_id = ?", (thread_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return ThreadUsage(total, int(row[0]) if row else 0)


async def postgres_thread_usage(conn: psycopg.AsyncConnection[Any], thread_id: str) -> ThreadUsage:
    """`conn` must return rows as dicts (as the service's pool does)."""
    total = 0
    for table in _POSTGRES:
        cur = await conn.execute(
            f"SELECT coalesce(sum(pg_column_size(t.*)), 0) AS n FROM {table} t"  # noqa: S608
            " WHERE thread_id = %s",
            (thread_id,),
        )
        found = await cur.fetchone()
        total += int(found["n"]) if found else 0
    cur = await conn.execute(
        "SELECT count(*) AS n FROM checkpoints WHERE thread_id = %s", (thread_id,)
    )
    found = await cur.fetchone()
    return ThreadUsage(total, int(found["n"]) if found else 0)
