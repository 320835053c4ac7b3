"""The read-only page a share link opens, and the ui's share proxy: the owner makes a link,
a second browser opens it (map data and days, no chat, no conversation id), copies the
trip into its own trips; the owner turns the link off."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import gpxpy
import icalendar
import pytest
from fastapi import FastAPI
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable

from travel_agent.app import create_app as create_agent_app
from travel_agent.places.offline import OfflineGazetteer
from travel_agent.settings import Settings as AgentSettings
from travel_ui.session import COOKIE_NAME

from ui_harness import Browser, sse_events


class PlanningModel(BaseChatModel):
    """Stands in for the LLM: answers with the scripted messages (a tool call, then text)."""

    replies: list[AIMessage]

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Runnable[Any, Any]:
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        reply = self.replies.pop(0) if self.replies else AIMessage(content="(done)")
        return ChatResult(generations=[ChatGeneration(message=reply)])


class Page(HTMLParser):
    """What a person sees of the share page: headings, place names, links, the boot data."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.headings: list[str] = []
        self.places: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.boot: Any = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        self.stack.append(a.get("id") or tag)
        self._text = []

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text).strip()
        top = self.stack.pop() if self.stack else ""
        if tag == "h2":
            self.headings.append(text)
        elif tag == "strong":
            self.places.append(text)
        elif top == "share-boot":
            self.boot = json.loads(text)
        self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)


@pytest.fixture
async def agent_app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The real agent app whose model is scripted to plan Rome over 3 days."""
    places: dict[str, Any] = {}
    gazetteer = OfflineGazetteer()
    for q in ("landmarks in Rome", "museums in Rome"):
        for p in (await gazetteer.search(q, limit=10)).places:
            places.setdefault(p.id, p.model_dump())
    trip = {
        "id": "rome",
        "name": "Rome <3 days>",
        "center_latitude": 41.9,
        "center_longitude": 12.48,
        "places": list(places.values())[:9],
    }
    plan = {"trips": [trip], "day_count": 3, "start_date": "2027-03-12"}
    model = PlanningModel(
        replies=[
            AIMessage(content="", tool_calls=[{"name": "add_trips", "args": plan, "id": "c1"}]),
            AIMessage(content="ok"),
        ]
    )
    settings = AgentSettings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path / "agent-data",
        llm_provider="offline",
        places_provider="offline",
    )
    app = create_agent_app(settings, model=model)
    async with app.router.lifespan_context(app):
        yield app


async def _planned_owner(ui: FastAPI, make_browser: Callable[[FastAPI], Browser]) -> Browser:
    owner = make_browser(ui)
    await owner.open_page()
    await owner.chat("Plan a 3-day trip to Rome from 12 March 2027")
    pending = (await owner.state())["pending_approval"]
    r = await owner.http.post(
        "/api/resume",
        json={"interrupt_id": pending["interrupt_id"], "approved": True},
        headers=owner.headers(),
    )
    assert r.status_code == 200 and sse_events(r.text)
    return owner


async def test_share_open_copy_revoke(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    ui = make_ui()
    owner = await _planned_owner(ui, make_browser)
    trip = next(t for t in (await owner.state())["trips"] if t["id"] == "rome")

    refused = await owner.http.post("/api/trips/rome/shares")  # no CSRF token
    assert refused.status_code == 403
    r = await owner.http.post("/api/trips/rome/shares", headers=owner.headers())
    assert r.status_code == 201, r.text
    share = r.json()
    assert share["path"].startswith("/s/")

    viewer = make_browser(ui)
    page = await viewer.http.get(share["path"])
    assert page.status_code == 200
    seen = Page(page.text)
    assert seen.headings == [f"Day {n} · 2027-03-{11 + n}" for n in (1, 2, 3)]
    names = {p["id"]: p["name"] for p in trip["places"]}
    assert seen.places == [names[i] for d in trip["days"] for i in d["place_ids"]]
    assert sum(link.startswith("https://www.google.com/maps/dir/") for link in seen.links) == 3
    assert "transcript" not in seen.ids and "share-map" in seen.ids  # a map, no chat
    assert seen.boot["trip"]["days"] == trip["days"]
    assert (
        "Rome &lt;3 days&gt;" in page.text and "Rome <3 days>" not in page.text.split("<script")[0]
    )
    owner_thread = ui.state.ctx.sessions.thread_id_from_cookie(owner.http.cookies[COOKIE_NAME])
    assert owner_thread and owner_thread not in page.text
    js = await viewer.http.get(
        next(f"/static/{ui.state.ctx.asset_version}/share/share.js" for _ in [0])
    )
    assert js.status_code == 200

    # The viewer copies it into a conversation of their own.
    viewer.csrf = seen.boot and __import__("re").search(
        r'<meta name="csrf-token" content="([^"]+)"', page.text
    ).group(1)
    token = share["path"].removeprefix("/s/")
    r = await viewer.http.post(f"/api/shared/{token}/copy", headers=viewer.headers())
    assert r.status_code == 201, r.text
    mine = await viewer.state()
    copy = next(t for t in mine["trips"] if t["id"] == r.json()["trip_id"])
    assert copy["days"] == trip["days"] and mine["selected_trip_id"] == copy["id"]

    # The owner turns the link off; the page says so.
    r = await owner.http.delete(
        f"/api/trips/rome/shares/{share['share_id']}", headers=owner.headers()
    )
    assert r.status_code == 204
    page = await viewer.http.get(share["path"])
    assert page.status_code == 410
    assert "turned off by its owner" in page.text
    listed = (await owner.http.get("/api/trips/rome/shares")).json()["shares"]
    assert [(s["share_id"], s["revoked"]) for s in listed] == [(share["share_id"], True)]
    assert "token" not in listed[0]


async def test_exports_and_routes_pass_through(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    owner = await _planned_owner(make_ui(), make_browser)
    trip = next(t for t in (await owner.state())["trips"] if t["id"] == "rome")
    r = await owner.http.get("/api/trips/rome/export", params={"format": "gpx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/gpx+xml")
    assert r.headers["content-disposition"] == 'attachment; filename="trip-rome.gpx"'
    gpx = gpxpy.parse(r.text)
    assert [len(route.points) for route in gpx.routes] == [
        len(d["place_ids"]) for d in trip["days"]
    ]
    r = await owner.http.get("/api/trips/rome/export", params={"format": "ics"})
    calendar = icalendar.Calendar.from_ical(r.content)
    assert len(calendar.walk("VEVENT")) == 3
    refused = await owner.http.get("/api/trips/rome/export", params={"format": "pdf"})
    assert refused.status_code == 422
    missing = await owner.http.get("/api/trips/nope/export", params={"format": "kml"})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]

    routes = (await owner.http.get("/api/trips/rome/routes")).json()
    assert [d["place_ids"] for d in routes["days"]] == [d["place_ids"] for d in trip["days"]]
    assert all(
        d["google_maps_url"].startswith("https://www.google.com/maps/dir/") for d in routes["days"]
    )


async def test_unknown_link_page(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    viewer = make_browser(make_ui())
    page = await viewer.http.get("/s/not-a-real-token")
    assert page.status_code == 404
    assert "There is no such share link" in page.text
    assert (await viewer.http.get("/s/bad%20token")).status_code == 422
