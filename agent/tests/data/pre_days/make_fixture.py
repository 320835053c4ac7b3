"""Writes the pre-days fixtures with the code of commit f8eaa63 (the last before trips had
`days`). Run it against THAT code, not today's (see README.md next to this file):

    git archive f8eaa63 | tar -x -C /tmp/old-f8eaa63
    PYTHONPATH=/tmp/old-f8eaa63/agent/src .venv/bin/python \
        agent/tests/data/pre_days/make_fixture.py agent/tests/data/pre_days [postgresql://…]

It plans a trip to Rome with the offline planner and approves it, through the app's HTTP
API, in a SQLite DATA_DIR (`<out>/data/travel.sqlite`); with a PostgreSQL URL it does the
same there and dumps that thread's checkpoint rows to `<out>/postgres_rows.json`."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from travel_agent.app import create_app
from travel_agent.settings import Settings

THREAD = "pre-days-thread"
TEXT = "Plan a trip to Rome, I like museums and old churches"
TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")


def _body(text: str | None = None, resume: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "threadId": THREAD,
        "runId": f"run-{uuid.uuid4().hex[:8]}",
        "messages": [],
        "state": {},
        "tools": [],
        "context": [],
        "forwardedProps": {},
    }
    if text is not None:
        body["messages"] = [{"id": f"msg-{uuid.uuid4().hex}", "role": "user", "content": text}]
    if resume is not None:
        body["resume"] = resume
    return body


async def _plan_and_approve(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://agent") as http:
            r = await http.post("/copilotkit", json=_body(TEXT))
            assert r.status_code == 200, r.text
            pending = (await http.get(f"/threads/{THREAD}/trips")).json()["pending_approval"]
            assert pending is not None, "the planner proposed nothing"
            resume = [
                {
                    "interruptId": pending["interrupt_id"],
                    "status": "resolved",
                    "payload": {"approved": True},
                }
            ]
            r = await http.post("/copilotkit", json=_body(resume=resume))
            assert r.status_code == 200, r.text
            data = (await http.get(f"/threads/{THREAD}/trips")).json()
            assert data["pending_approval"] is None
            rome = [t for t in data["trips"] if "Rome" in t["name"]]
            assert rome and rome[0]["places"], data
            assert all("days" not in t for t in data["trips"]), "not pre-days code"


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview)):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    return value


async def _dump_pg(url: str) -> dict[str, Any]:
    import psycopg

    rows: dict[str, list[dict[str, Any]]] = {}
    async with await psycopg.AsyncConnection.connect(url) as conn:
        for table in TABLES:
            cur = await conn.execute(f"SELECT * FROM {table} WHERE thread_id = %s", (THREAD,))
            names = [c.name for c in cur.description or []]
            rows[table] = [
                {n: _plain(v) for n, v in zip(names, row, strict=True)}
                for row in await cur.fetchall()
            ]
        cur = await conn.execute("SELECT max(v) FROM checkpoint_migrations")
        (version,) = await cur.fetchone() or (None,)
    return {"migration": version, "rows": rows}


async def main(out: Path, pg_url: str | None) -> dict[str, Any] | None:
    base = {"llm_provider": "offline", "places_provider": "offline"}
    await _plan_and_approve(Settings(_env_file=None, data_dir=out / "data", **base))
    if pg_url:
        await _plan_and_approve(
            Settings(_env_file=None, data_dir=out / "pgdata", database_url=pg_url, **base)
        )
        return await _dump_pg(pg_url)
    return None


if __name__ == "__main__":
    out = Path(sys.argv[1])
    dump = asyncio.run(main(out, sys.argv[2] if len(sys.argv) > 2 else None))
    if dump is not None:
        text = json.dumps(dump, indent=1, default=str)
        (out / "postgres_rows.json").write_text(text + "\n")
