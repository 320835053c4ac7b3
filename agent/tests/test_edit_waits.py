"""Manual edits wait their turn (issue 9, item 7): many places added at once on one
thread (two tabs, maybe through two replicas) all land; none is refused as busy."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from travel_agent.app import create_app

from agent_kit import make_settings, new_thread
from pg import temp_database

ADDS = 24


async def clients(
    stack: AsyncExitStack, tmp_path: Path, replicas: int, **settings: object
) -> list[httpx.AsyncClient]:
    out = []
    for i in range(replicas):
        app = create_app(make_settings(tmp_path, **settings))
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        http = httpx.AsyncClient(transport=transport, base_url=f"http://agent{i}", timeout=120)
        out.append(await stack.enter_async_context(http))
    return out


async def add_many_at_once(https: list[httpx.AsyncClient]) -> None:
    thread = new_thread()
    before = (await https[0].get(f"/threads/{thread}/trips")).json()
    nyc = next(t for t in before["trips"] if t["id"] == "1")

    async def add(i: int) -> httpx.Response:
        body = {"name": f"Stop {i}", "latitude": 40.7 + i / 1000, "longitude": -74.0}
        return await https[i % len(https)].post(f"/threads/{thread}/trips/1/places", json=body)

    answers = await asyncio.gather(*(add(i) for i in range(ADDS)))
    assert [a.status_code for a in answers] == [201] * ADDS, [a.text for a in answers]
    after = (await https[-1].get(f"/threads/{thread}/trips")).json()
    names = [p["name"] for p in next(t for t in after["trips"] if t["id"] == "1")["places"]]
    assert sorted(names[len(nyc["places"]) :]) == sorted(f"Stop {i}" for i in range(ADDS))


async def test_concurrent_manual_adds_all_land_on_sqlite(tmp_path: Path) -> None:
    async with AsyncExitStack() as stack:
        await add_many_at_once(await clients(stack, tmp_path, 1))


@pytest.mark.postgres
async def test_concurrent_manual_adds_all_land_across_two_replicas(tmp_path: Path) -> None:
    with temp_database() as url:
        async with AsyncExitStack() as stack:
            await add_many_at_once(await clients(stack, tmp_path, 2, database_url=url))


async def test_an_edit_still_gets_a_clear_409_once_the_wait_is_over(tmp_path: Path) -> None:
    async with AsyncExitStack() as stack:
        (http,) = await clients(stack, tmp_path, 1, edit_lock_wait_seconds=0.2)
        thread = new_thread()
        runtime = http._transport.app.state.runtime  # type: ignore[attr-defined]
        async with runtime.locks.hold(thread):  # a chat run holds the thread meanwhile
            answer = await http.delete(f"/threads/{thread}/trips/1/places/1")
        assert answer.status_code == 409
        assert "still running" in answer.json()["detail"]
        assert (await http.delete(f"/threads/{thread}/trips/1/places/1")).status_code == 204
