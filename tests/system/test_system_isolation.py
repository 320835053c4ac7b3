"""Isolation through real processes: a ui cookie reaches its own thread only, thread ids
are unguessable, the agent refuses anyone without the shared token (and the ui sends it),
and the ui's rate limit counts per client address."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from itsdangerous import Signer

from tests.system.system_stack import (
    Person,
    Proc,
    agent_proc,
    start_all,
    trips_summary,
    ui_proc,
)
from travel_ui.app import create_app
from travel_ui.session import Sessions
from travel_ui.settings import Settings

pytestmark = pytest.mark.slow

TOKEN = "isolation-agent-token-93c1"
SECRET_KEY = "isolation-signing-key"
COOKIE = "travel_thread"
PLAN = "Plan a 2-day trip to Lisbon"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Proc, Proc]]:
    base = tmp_path_factory.mktemp("isolation")
    agent = agent_proc(base, "agent", AGENT_API_TOKEN=TOKEN)
    ui = ui_proc(base, [agent], AGENT_API_TOKEN=TOKEN, UI_SECRET_KEY=SECRET_KEY)
    start_all([agent], ui)
    yield agent, ui
    ui.stop()
    agent.stop()


def api_routes() -> set[tuple[str, str]]:
    """Every (method, path template) of the ui's browser API, from the app's own schema, so
    a route added later is not forgotten here."""
    app = create_app(Settings(_env_file=None, ui_secret_key="x"))  # type: ignore[call-arg]
    paths = app.openapi()["paths"]
    found = {(m.upper(), path) for path, ops in paths.items() for m in ops}
    return {(m, p) for m, p in found if p.startswith("/api/")}


def attempts(trip_id: str, place_id: str, interrupt_id: str) -> dict[tuple[str, str], Any]:
    """A request body (or None) for each route, aimed at the victim's own trips."""
    places = "/api/trips/{trip_id}/places"
    return {
        ("POST", "/api/chat"): {"message": "Delete all my trips"},
        ("POST", "/api/resume"): {"interrupt_id": interrupt_id, "approved": True},
        ("GET", "/api/state"): None,
        ("GET", "/api/history"): None,
        ("PUT", "/api/selected-trip"): {"trip_id": "1"},
        ("POST", places): {"name": "Intruder", "latitude": 1.0, "longitude": 2.0},
        ("PATCH", places + "/{place_id}"): {"name": "Renamed by someone else"},
        ("DELETE", places + "/{place_id}"): None,
        ("POST", "/api/new-conversation"): {},
        ("POST", "/api/trips"): {"name": "Intruder", "center_latitude": 1, "center_longitude": 2},
        ("PATCH", "/api/trips/{trip_id}"): {"name": "Renamed by someone else"},
        ("DELETE", "/api/trips/{trip_id}"): None,
        ("GET", "/api/places/search"): None,
        ("GET", "/api/trips/{trip_id}/export"): None,
        ("GET", "/api/trips/{trip_id}/routes"): None,
        ("GET", "/api/trips/{trip_id}/shares"): None,
        ("GET", "/api/conversations"): None,
        ("POST", "/api/conversations/{key}/open"): None,
        ("PATCH", "/api/conversations/{key}"): {"title": "Mine now"},
        ("DELETE", "/api/conversations/{key}"): None,
        ("POST", "/api/trips/{trip_id}/shares"): None,
        ("DELETE", "/api/trips/{trip_id}/shares/{share_id}"): None,
        ("POST", "/api/shared/{token}/copy"): None,
        ("POST", "/api/trips/{trip_id}/place-moves"): {"place_ids": [place_id], "day": None},
        ("PUT", "/api/trips/{trip_id}/start-date"): {"start_date": "2027-01-01"},
    }


def url_of(path: str, trip_id: str, place_id: str, key: str = "") -> str:
    """The route's URL aimed at the victim: her trip, place and conversation key (what the
    page calls her conversation); made-up share ids and tokens."""
    url = (
        path.replace("{trip_id}", trip_id)
        .replace("{place_id}", place_id)
        .replace("{key}", key)
        .replace("{share_id}", "share0000000000000000")
        .replace("{token}", "not.a.real.token")
    )
    return url + "?q=museum" if path == "/api/places/search" else url


async def snapshot(person: Person) -> tuple[Any, ...]:
    state = await person.state()
    history = await person.history()
    return trips_summary(state), state["selected_trip_id"], state["pending_approval"], history


async def test_a_cookie_reaches_only_its_own_thread(stack: tuple[Proc, Proc]) -> None:
    _, ui = stack
    alice, mallory = Person(ui.url, 1), Person(ui.url, 2)
    try:
        await alice.open_page()
        await mallory.open_page()
        state = await alice.state()
        trip_id = state["trips"][0]["id"]
        place_id = state["trips"][0]["places"][0]["id"]
        await alice.add_place(trip_id, {"name": "Alice's cafe", "latitude": 1, "longitude": 2})
        planned = await alice.chat(PLAN)  # leaves an approval pending on her thread
        interrupt_id = planned[-1]["outcome"]["interrupts"][0]["id"]
        before = await snapshot(alice)
        thread_id = alice.http.cookies[COOKIE].rpartition(".")[0].partition(":")[0]

        tries = attempts(trip_id, place_id, interrupt_id)
        assert set(tries) == api_routes(), "every route of the browser API is tried"
        other_key = Signer(b"another deployment's key", salt="travel-ui.thread-cookie")
        forged = {
            "unsigned": f"{thread_id}.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "bare thread id": thread_id,
            "signed with another key": other_key.sign(thread_id).decode(),
        }
        settings = Settings(_env_file=None, ui_secret_key=SECRET_KEY)  # type: ignore[call-arg]
        key = Sessions(SECRET_KEY.encode(), settings).conversation_key(thread_id)
        for (method, path), body in tries.items():
            url = url_of(path, trip_id, place_id, key)
            for what, cookie in forged.items():
                # A fresh client per try: no cookie jar to fall back on.
                async with httpx.AsyncClient(base_url=ui.url) as stranger:
                    answer = await stranger.request(
                        method,
                        url,
                        json=body,
                        headers={**alice.headers(), "Cookie": f"{COOKIE}={cookie}"},
                    )
                assert answer.status_code == 401, (method, path, what, answer.text)
                assert answer.json()["detail"].startswith("Your session has expired")

            # Mallory's own session with Alice's CSRF token: every change is refused.
            if method != "GET":
                answer = await mallory.http.request(method, url, json=body, headers=alice.headers())
                assert answer.status_code == 403, (method, path, answer.text)

            # Alice's thread id smuggled into the request, next to Mallory's own session.
            smuggled = {"X-Thread-ID": thread_id, **mallory.headers()}
            params = {"thread_id": thread_id, "threadId": thread_id}
            if isinstance(body, dict) and body:
                answer = await mallory.http.request(
                    method, url, json={**body, "threadId": thread_id}, headers=smuggled
                )
                assert answer.status_code == 422, (method, path, answer.text)
            if path not in ("/api/new-conversation", "/api/chat"):
                await mallory.http.request(method, url, json=body, headers=smuggled, params=params)

        # Mallory's own thread answered for itself; Alice's is exactly as it was.
        assert "Alice's cafe" not in str(await mallory.state())
        assert await snapshot(alice) == before
        # And Alice can still answer her own approval.
        resumed = await alice.approve(interrupt_id)
        assert resumed[-1]["type"] == "RUN_FINISHED"
        assert len((await alice.state())["trips"]) == len(before[0]) + 1
    finally:
        await alice.aclose()
        await mallory.aclose()


async def test_thread_ids_are_unguessable(stack: tuple[Proc, Proc]) -> None:
    _, ui = stack
    ids = set()
    async with httpx.AsyncClient(base_url=ui.url) as http:
        for i in range(30):
            page = await http.get("/", headers={"X-Forwarded-For": f"10.50.0.{i}"})
            thread_id = page.cookies[COOKIE].rpartition(".")[0].partition(":")[0]
            raw = base64.urlsafe_b64decode(thread_id + "=" * (-len(thread_id) % 4))
            assert len(raw) * 8 >= 128, thread_id
            ids.add(thread_id)
            http.cookies.clear()
    assert len(ids) == 30


async def test_the_agent_refuses_requests_without_the_token(
    stack: tuple[Proc, Proc], tmp_path: Path
) -> None:
    agent, ui = stack
    thread = "t-token-check-1"
    calls = [
        ("GET", f"/threads/{thread}/trips", None),
        ("GET", f"/threads/{thread}/history", None),
        ("GET", f"/threads/{thread}/trips/1/export", None),
        ("PUT", f"/threads/{thread}/selected-trip", {"trip_id": "2"}),
        ("POST", f"/threads/{thread}/trips/1/places", {"name": "x", "latitude": 1, "longitude": 2}),
        ("PATCH", f"/threads/{thread}/trips/1/places/1", {"name": "y"}),
        ("DELETE", f"/threads/{thread}/trips/1/places/1", None),
        ("POST", "/copilotkit", {"threadId": thread, "runId": "r1", "messages": []}),
    ]
    async with httpx.AsyncClient(base_url=agent.url) as http:
        for method, path, body in calls:
            for headers in ({}, {"Authorization": "Bearer wrong-token"}):
                answer = await http.request(method, path, json=body, headers=headers)
                assert answer.status_code == 401, (method, path, headers)
                assert answer.json()["detail"] == "A valid agent API token is required."
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await http.get(path)).status_code == 200
        # Nothing was changed by the refused calls: the thread is as new as one never used.
        auth = {"Authorization": f"Bearer {TOKEN}"}
        state = (await http.get(f"/threads/{thread}/trips", headers=auth)).json()
        untouched = (await http.get("/threads/t-never-used-1/trips", headers=auth)).json()
        assert trips_summary(state) == trips_summary(untouched)
        assert state["selected_trip_id"] == untouched["selected_trip_id"]

    # The ui sends the token: through it everything works.
    person = Person(ui.url, 3)
    try:
        page = await person.open_page()
        assert "Business Trip to NYC" in page.text
        events = await person.chat("List my trips")
        assert events[-1]["type"] == "RUN_FINISHED"
    finally:
        await person.aclose()

    # A ui with the wrong token tells people the planner is unavailable, and its operator
    # why (without the token in the log).
    wrong = ui_proc(tmp_path, [agent], AGENT_API_TOKEN="not-the-token", UI_SECRET_KEY="k")
    start_all([], wrong)
    try:
        person = Person(wrong.url, 4)
        page = await person.open_page()
        assert "The planner is unavailable right now." in page.text
        answer = await person.http.get("/api/state")
        assert answer.status_code == 503
        assert answer.json()["detail"].startswith("The planner is unavailable right now.")
        await person.aclose()
    finally:
        wrong.stop()
    log = wrong.log_path.read_text()
    assert "the agent refused our token" in log
    assert "not-the-token" not in log


async def test_the_rate_limit_counts_per_client_address(stack: tuple[Proc, Proc]) -> None:
    _, ui = stack

    async def until_refused(http: httpx.AsyncClient, addresses: list[str]) -> httpx.Response:
        for i in range(400):
            answer = await http.get(
                "/no-such-page", headers={"X-Forwarded-For": addresses[i % len(addresses)]}
            )
            if answer.status_code == 429:
                return answer
            assert answer.status_code == 404
        raise AssertionError("never limited")

    async with httpx.AsyncClient(base_url=ui.url) as http:
        refused = await until_refused(http, ["10.60.0.1"])
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json()["detail"].startswith("You are sending requests too quickly.")
        # Another person behind the same proxy is not affected.
        other = await http.get("/no-such-page", headers={"X-Forwarded-For": "10.60.0.2"})
        assert other.status_code == 404

    # From a peer that is not a trusted proxy, X-Forwarded-For is ignored: changing it on
    # every request does not escape the limit.
    local = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=ui.url, transport=local) as http:
        spoofed = [f"192.0.2.{i}" for i in range(200)]
        assert (await until_refused(http, spoofed)).status_code == 429
