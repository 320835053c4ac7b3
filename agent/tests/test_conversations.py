"""A traveller's conversations over the real REST API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from travel_agent.conversations import Conversations
from travel_agent.persistence import open_persistence
from travel_agent.settings import Settings

from agent_kit import AgentClient, make_settings, new_thread
from pg import temp_database

ALICE = "traveller-alice-0001"
BOB = "traveller-bob-00001"


@pytest.fixture
def settings(tmp_path: Path, database: dict[str, Any]) -> Settings:
    return make_settings(tmp_path, **database)


@pytest.fixture
def http(client: AgentClient) -> httpx.AsyncClient:
    return client.http


async def listed(http: httpx.AsyncClient, traveller: str) -> list[dict[str, Any]]:
    response = await http.get(f"/travellers/{traveller}/conversations")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_record_list_rename_and_delete(http: httpx.AsyncClient) -> None:
    first, second = new_thread(), new_thread()
    assert (await http.put(f"/travellers/{ALICE}/conversations/{first}")).status_code == 204
    # A change to the first thread's trips shows in its name.
    trips = (await http.get(f"/threads/{first}/trips")).json()["trips"]
    nyc = trips[0]["id"]
    place = {"name": "Corner bakery", "latitude": 40.7, "longitude": -74.0}
    assert (await http.post(f"/threads/{first}/trips/{nyc}/places", json=place)).status_code == 201
    await asyncio.sleep(0.01)
    assert (await http.put(f"/travellers/{ALICE}/conversations/{second}")).status_code == 204

    items = await listed(http, ALICE)
    assert [i["thread_id"] for i in items] == [second, first]  # newest first
    assert items[1]["trip_names"] == ["Business Trip to NYC", "Vacation in Paris"]
    assert await listed(http, BOB) == []  # nobody else sees them

    # Recording again moves it to the top and keeps one entry.
    await http.put(f"/travellers/{ALICE}/conversations/{first}")
    assert [i["thread_id"] for i in await listed(http, ALICE)] == [first, second]

    renamed = await http.patch(
        f"/travellers/{ALICE}/conversations/{second}", json={"title": "  Weekend ideas "}
    )
    assert renamed.status_code == 204
    assert (await listed(http, ALICE))[1]["title"] == "Weekend ideas"
    refused = await http.patch(f"/travellers/{BOB}/conversations/{second}", json={"title": "x"})
    assert refused.status_code == 404
    assert (await http.delete(f"/travellers/{BOB}/conversations/{first}")).status_code == 404

    assert (await http.delete(f"/travellers/{ALICE}/conversations/{first}")).status_code == 204
    assert [i["thread_id"] for i in await listed(http, ALICE)] == [second]
    # Its trips are gone with it: the thread starts over from the demo trips.
    places = (await http.get(f"/threads/{first}/trips")).json()["trips"][0]["places"]
    assert "Corner bakery" not in [p["name"] for p in places]


async def test_bad_ids_are_refused(http: httpx.AsyncClient) -> None:
    assert (await http.get("/travellers/x/conversations")).status_code == 422
    response = await http.put(f"/travellers/{ALICE}/conversations/bad%20id")
    assert response.status_code == 422


@pytest.mark.postgres
async def test_replicas_starting_together_create_the_table_once(tmp_path: Path) -> None:
    with temp_database() as url:

        async def start(i: int) -> None:
            settings = make_settings(tmp_path / str(i), database_url=url)
            async with open_persistence(settings) as persistence:
                store = Conversations(persistence)
                await store.setup()
                await store.touch(ALICE, f"thread-{i:04d}")

        await asyncio.gather(*(start(i) for i in range(4)))
        async with open_persistence(make_settings(tmp_path / "x", database_url=url)) as p:
            assert len(await Conversations(p).list(ALICE)) == 4
