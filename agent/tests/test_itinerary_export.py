"""Exports through the REST API, each parsed back with a real library."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import gpxpy
import icalendar
import pytest
from langchain_core.messages import AIMessage
from markdown_it import MarkdownIt

from agent_kit import AgentClient, new_thread
from itinerary_kit import rome_places, rome_trip, scripted_client, trip_of
from scripted import call

KML = "{http://www.opengis.net/kml/2.2}"
TRICKY = "*Bold* <script>alert(1)</script> [x](http://evil.test) # _under_ `code`"


@pytest.fixture
async def planned(tmp_path: Path) -> AsyncIterator[tuple[AgentClient, str, dict[str, Any]]]:
    async with scripted_client(tmp_path) as (model, client):
        places = await rome_places(9)
        places[0] = {**places[0], "name": TRICKY}
        trip = rome_trip(places)
        model.script[:] = [
            call("add_trips", {"trips": [trip], "day_count": 3, "start_date": "2027-03-12"}, 1),
            AIMessage(content="ok"),
        ]
        thread = new_thread()
        await client.run(thread, "Plan a 3-day trip to Rome")
        await client.approve(thread)
        stored = trip_of(await client.trips(thread), "rome")
        yield client, thread, stored


async def _export(client: AgentClient, thread: str, fmt: str) -> Any:
    r = await client.http.get(f"/threads/{thread}/trips/rome/export", params={"format": fmt})
    assert r.status_code == 200, r.text
    assert f'filename="trip-rome.{fmt}"' in r.headers["content-disposition"]
    return r


async def test_geojson(planned: tuple[AgentClient, str, dict[str, Any]]) -> None:
    client, thread, trip = planned
    r = await _export(client, thread, "geojson")
    assert r.headers["content-type"].startswith("application/geo+json")
    data = json.loads(r.text)
    assert data["type"] == "FeatureCollection"
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in data["features"] if f["geometry"]["type"] == "LineString"]
    assert len(points) == 9 and len(lines) == 3
    for n, day in enumerate(trip["days"], start=1):
        stops = sorted(
            (f for f in points if f["properties"]["day"] == n),
            key=lambda f: f["properties"]["stop"],
        )
        assert [f["id"] for f in stops] == day["place_ids"]
        line = next(f for f in lines if f["properties"]["day"] == n)
        assert line["geometry"]["coordinates"][0] == stops[0]["geometry"]["coordinates"]
        assert line["properties"]["estimate"] is True
        assert line["properties"]["date"] == day["date"]


async def test_gpx(planned: tuple[AgentClient, str, dict[str, Any]]) -> None:
    client, thread, trip = planned
    doc = gpxpy.parse((await _export(client, thread, "gpx")).text)
    assert doc.version == "1.1"
    assert len(doc.waypoints) == 9
    assert TRICKY in [w.name for w in doc.waypoints]
    assert len(doc.routes) == 3
    by_id = {p["id"]: p for p in trip["places"]}
    for route, day in zip(doc.routes, trip["days"], strict=True):
        assert [(pt.latitude, pt.longitude) for pt in route.points] == [
            (by_id[i]["latitude"], by_id[i]["longitude"]) for i in day["place_ids"]
        ]


async def test_icalendar(planned: tuple[AgentClient, str, dict[str, Any]]) -> None:
    client, thread, trip = planned
    r = await _export(client, thread, "ics")
    assert r.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.text)
    events = list(cal.walk("VEVENT"))
    assert [e.decoded("dtstart").isoformat() for e in events] == [d["date"] for d in trip["days"]]
    names = {p["id"]: p["name"] for p in trip["places"]}
    for event, day in zip(events, trip["days"], strict=True):
        text = str(event.get("description"))
        assert all(names[i] in text for i in day["place_ids"])
        assert str(event.get("url")).startswith("https://www.google.com/maps/dir/?api=1")
    assert len({str(e.get("uid")) for e in events}) == 3


async def test_kml(planned: tuple[AgentClient, str, dict[str, Any]]) -> None:
    client, thread, trip = planned
    root = ET.fromstring((await _export(client, thread, "kml")).content)
    folders = root.findall(f".//{KML}Folder")
    assert len(folders) == 3
    names = {p["id"]: p["name"] for p in trip["places"]}
    for folder, day in zip(folders, trip["days"], strict=True):
        marks = folder.findall(f"{KML}Placemark")
        points = [m for m in marks if m.find(f"{KML}Point") is not None]
        assert [m.findtext(f"{KML}name") for m in points] == [
            f"{i}. {names[pid]}" for i, pid in enumerate(day["place_ids"], start=1)
        ]
        assert any(m.find(f"{KML}LineString") is not None for m in marks)


async def test_markdown_names_are_text(planned: tuple[AgentClient, str, dict[str, Any]]) -> None:
    client, thread, trip = planned
    r = await _export(client, thread, "md")
    tokens = MarkdownIt("commonmark").parse(r.text)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert "html_inline" not in kinds and "html_block" not in kinds and "em_open" not in kinds
    links = [c.attrs["href"] for t in tokens for c in t.children or [] if c.type == "link_open"]
    assert len(links) == 3 and all(
        str(h).startswith("https://www.google.com/maps/dir/") for h in links
    )
    headings = [
        "".join(c.content for c in tokens[i + 1].children or [] if c.type == "text")
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]
    assert headings[0] == "3 days in Rome"
    assert headings[1] == f"Day 1 ({trip['days'][0]['date']})"
    text = "".join(c.content for t in tokens for c in t.children or [] if c.type == "text")
    assert TRICKY in text


async def test_directions_link_per_day(planned: tuple[AgentClient, str, dict[str, Any]]) -> None:
    client, thread, trip = planned
    r = await client.http.get(f"/threads/{thread}/trips/rome/routes")
    assert r.status_code == 200
    data = r.json()
    by_id = {p["id"]: p for p in trip["places"]}
    for day, route in zip(trip["days"], data["days"], strict=True):
        q = parse_qs(urlparse(route["google_maps_url"]).query)
        first, last = by_id[day["place_ids"][0]], by_id[day["place_ids"][-1]]
        assert q["origin"] == [f"{first['latitude']:.6f},{first['longitude']:.6f}"]
        assert q["destination"] == [f"{last['latitude']:.6f},{last['longitude']:.6f}"]
        assert len(q["waypoints"][0].split("|")) == len(day["place_ids"]) - 2
        assert q["travelmode"] == ["walking"]
        assert route["estimate"] is True and route["provider"] == "offline"
        assert len(route["legs"]) == len(day["place_ids"]) - 1
        assert route["distance_m"] == sum(leg["distance_m"] for leg in route["legs"]) > 0
    assert data["estimate"] is True


async def test_bad_format_and_unknown_trip(
    planned: tuple[AgentClient, str, dict[str, Any]],
) -> None:
    client, thread, _ = planned
    r = await client.http.get(f"/threads/{thread}/trips/rome/export", params={"format": "pdf"})
    assert r.status_code == 422
    assert r.json()["detail"] == (
        "Invalid request: query.format: Input should be 'geojson', 'gpx', 'ics', 'kml' or 'md'."
    )
    r = await client.http.get(f"/threads/{thread}/trips/nope/export", params={"format": "gpx"})
    assert r.status_code == 404 and "no trip" in r.json()["detail"]
    r = await client.http.get(f"/threads/{thread}/trips/nope/routes")
    assert r.status_code == 404


async def test_a_calendar_needs_dates_and_says_so(tmp_path: Path) -> None:
    """An undated trip is refused with a sentence (not an empty calendar); once it has
    days with dates, the same export is a calendar of those days."""
    async with scripted_client(tmp_path) as (model, client):
        thread = new_thread()
        model.script[:] = [
            call("add_trips", {"trips": [rome_trip(await rome_places(6))]}, 1),
            AIMessage(content="ok"),
        ]
        await client.run(thread, "Add a Rome trip")
        await client.approve(thread)
        url = f"/threads/{thread}/trips/rome/export"

        r = await client.http.get(url, params={"format": "ics"})
        assert r.status_code == 422
        assert r.json()["detail"] == (
            "This trip has no days yet: plan it into days with a start date "
            "to export it as a calendar."
        )
        assert (await client.http.get(url, params={"format": "md"})).status_code == 200

        model.script[:] = [
            call("plan_days", {"trip_id": "rome", "day_count": 2}, 1),
            AIMessage(content="ok"),
        ]
        await client.run(thread, "Spread it over 2 days")
        await client.approve(thread)
        r = await client.http.get(url, params={"format": "ics"})
        assert r.status_code == 422
        assert r.json()["detail"] == (
            "This trip has no dates yet: set a start date to export it as a calendar."
        )

        model.script[:] = [
            call("set_start_date", {"trip_id": "rome", "start_date": "2027-03-12"}, 1),
            AIMessage(content="ok"),
        ]
        await client.run(thread, "Start on 2027-03-12")
        await client.approve(thread)
        cal = icalendar.Calendar.from_ical((await _export(client, thread, "ics")).text)
        dates = [e.decoded("dtstart").isoformat() for e in cal.walk("VEVENT")]
        assert dates == ["2027-03-12", "2027-03-13"]
