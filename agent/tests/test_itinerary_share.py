"""Share links through the REST API: create, read (without the owner's conversation),
list, revoke, expire, copy; and across two agent processes on one PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage

from agent_kit import AgentClient, new_thread
from itinerary_kit import rome_places, rome_trip, scripted_client, trip_of
from live import AgentProcess
from pg import temp_database
from scripted import call


async def _plan(model: Any, client: AgentClient, thread: str) -> dict[str, Any]:
    model.script[:] = [
        call("add_trips", {"trips": [rome_trip(await rome_places(9))], "day_count": 3}, 1),
        AIMessage(content="ok"),
    ]
    await client.run(thread, "Plan a 3-day trip to Rome")
    await client.approve(thread)
    return trip_of(await client.trips(thread), "rome")


async def test_share_read_revoke_and_copy(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        owner = new_thread()
        trip = await _plan(model, client, owner)
        r = await client.http.post(f"/threads/{owner}/trips/rome/shares")
        assert r.status_code == 201, r.text
        share = r.json()
        assert share["token"] and not share["revoked"] and not share["expired"]

        r = await client.http.get(f"/shares/{share['token']}")
        assert r.status_code == 200
        shared = r.json()
        assert owner not in r.text  # the link never tells whose conversation it is
        assert shared["trip"] == trip
        assert [d["day_id"] for d in shared["routes"]["days"]] == [d["id"] for d in trip["days"]]

        # The owner edits the trip: the link shows the trip as it is now.
        gone = trip["days"][0]["place_ids"][0]
        await client.http.delete(f"/threads/{owner}/trips/rome/places/{gone}")
        shared = (await client.http.get(f"/shares/{share['token']}")).json()
        assert gone not in [p["id"] for p in shared["trip"]["places"]]

        # Someone else copies it into their own trips.
        viewer = new_thread()
        r = await client.http.post(
            f"/threads/{viewer}/trips/copy-from-share", json={"token": share["token"]}
        )
        assert r.status_code == 201, r.text
        copy = r.json()
        mine = await client.trips(viewer)
        assert mine["selected_trip_id"] == copy["id"] != "rome"
        assert trip_of(mine, copy["id"])["days"] == shared["trip"]["days"]
        assert len(mine["trips"]) == 3  # the two demo trips and the copy

        listed = (await client.http.get(f"/threads/{owner}/trips/rome/shares")).json()["shares"]
        assert [s["share_id"] for s in listed] == [share["share_id"]]
        assert listed[0]["token"] is None

        r = await client.http.delete(f"/threads/{owner}/trips/rome/shares/{share['share_id']}")
        assert r.status_code == 204
        r = await client.http.get(f"/shares/{share['token']}")
        assert (
            r.status_code == 410
            and r.json()["detail"] == "This share link was turned off by its owner."
        )
        r = await client.http.post(
            f"/threads/{new_thread()}/trips/copy-from-share", json={"token": share["token"]}
        )
        assert r.status_code == 410

        # Only the owner's conversation can turn a link off.
        second = (await client.http.post(f"/threads/{owner}/trips/rome/shares")).json()
        r = await client.http.delete(f"/threads/{viewer}/trips/rome/shares/{second['share_id']}")
        assert r.status_code == 404
        assert (await client.http.get(f"/shares/{second['token']}")).status_code == 200


async def test_unknown_altered_and_expired_links(tmp_path: Path) -> None:
    async with scripted_client(tmp_path) as (model, client):
        owner = new_thread()
        await _plan(model, client, owner)
        share = (await client.http.post(f"/threads/{owner}/trips/rome/shares")).json()
        token = share["token"]
        altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        for bad in (altered, "not-a-token", token.split(".")[0] + ".x"):
            r = await client.http.get(f"/shares/{bad}")
            assert r.status_code == 404 and r.json()["detail"] == "There is no such share link."
        assert (
            await client.http.post("/threads/nope-nope-nope/trips/rome/shares")
        ).status_code == 404

        app = client.http._transport.app  # type: ignore[attr-defined]
        await app.state.itinerary.shares.store.expire_now(share["share_id"])
        r = await client.http.get(f"/shares/{token}")
        assert r.status_code == 410 and r.json()["detail"] == "This share link has expired."

        # A deleted trip's link says so.
        fresh = (await client.http.post(f"/threads/{owner}/trips/rome/shares")).json()
        model.script[:] = [call("delete_trips", {"trip_ids": ["rome"]}, 5), AIMessage(content="ok")]
        await client.run(owner, "Delete the Rome trip")
        await client.approve(owner)
        r = await client.http.get(f"/shares/{fresh['token']}")
        assert r.status_code == 410 and "deleted" in r.json()["detail"]


async def test_a_link_survives_a_restart(tmp_path: Path) -> None:
    """The generated signing key is kept in the database: links still open after a restart."""
    async with scripted_client(tmp_path) as (model, client):
        owner = new_thread()
        await _plan(model, client, owner)
        token = (await client.http.post(f"/threads/{owner}/trips/rome/shares")).json()["token"]
    async with scripted_client(tmp_path) as (_, client):
        assert (await client.http.get(f"/shares/{token}")).status_code == 200


@pytest.mark.postgres
@pytest.mark.slow
def test_share_across_two_replicas_on_postgresql(tmp_path: Path) -> None:
    """Replicas that start together create the share tables once and sign alike: a link
    made on one opens on the other, and revoking it on the other ends it everywhere."""
    with temp_database() as url:
        env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path / "data")}
        a = AgentProcess(env, tmp_path / "a.log")
        b = AgentProcess(env, tmp_path / "b.log")
        # Started together, so both run the share tables' migration at once.
        with ThreadPoolExecutor(2) as pool:
            started = [pool.submit(p.start, 180) for p in (a, b)]
        try:
            for f in started:
                f.result()
            with httpx.Client(timeout=30) as http:
                owner = new_thread()
                # The demo trips are there for any new thread; trip "1" is New York.
                r = http.post(f"{a.url}/threads/{owner}/trips/1/shares")
                assert r.status_code == 201, r.text
                share = r.json()
                r = http.get(f"{b.url}/shares/{share['token']}")
                assert r.status_code == 200, r.text
                assert r.json()["trip"]["name"]
                viewer = new_thread()
                r = http.post(
                    f"{b.url}/threads/{viewer}/trips/copy-from-share",
                    json={"token": share["token"]},
                )
                assert r.status_code == 201
                assert len(http.get(f"{a.url}/threads/{viewer}/trips").json()["trips"]) == 3
                r = http.delete(f"{b.url}/threads/{owner}/trips/1/shares/{share['share_id']}")
                assert r.status_code == 204
                assert http.get(f"{a.url}/shares/{share['token']}").status_code == 410
        finally:
            a.stop()
            b.stop()
