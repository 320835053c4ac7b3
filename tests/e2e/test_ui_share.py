"""A trip out of the app, in a real browser: the trip card's export menu (files parsed back
with the libraries the agent's tests use, directions per day, a refusal as a sentence),
the share dialog (a link opened by a second person on another ui replica, on the built-in
map, copied into their trips, then turned off), both at phone size; and a marker dragged
on the map."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gpxpy
import httpx
import icalendar
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser_stack import (
    Service,
    Session,
    Stack,
    open_session,
    screenshot,
    ui_service,
)
from tests.e2e.test_ui_browser import MARKERS, send, wait_until_idle
from tests.e2e.test_ui_journeys import serious_violations, thread_of

pytestmark = pytest.mark.browser

PLAN = "Plan a 3-day trip to Rome starting 2027-03-12, I like museums and old churches"


def agent_trips(stack: Stack, thread: str) -> dict[str, Any]:
    response = httpx.get(f"{stack.agent.url}/threads/{thread}/trips", timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def selected(body: dict[str, Any]) -> dict[str, Any]:
    trip: dict[str, Any] = next(t for t in body["trips"] if t["id"] == body["selected_trip_id"])
    return trip


@pytest.fixture(scope="module")
def other_ui(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A second ui replica in front of the same agent, with the same signing key."""
    ui = ui_service(tmp_path_factory.mktemp("other-ui"), stack.agent.url).start()
    yield ui
    ui.stop()


@pytest.fixture(scope="module")
def owner(stack: Stack, chromium: Browser) -> Iterator[Session]:
    """A person who planned a 3-day Rome trip and approved it (planned once per module)."""
    s = open_session(chromium, viewport={"width": 1280, "height": 800}, accept_downloads=True)
    s.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.ui.url)
    page = s.page
    page.goto(stack.ui.url)
    send(page, PLAN)
    card = page.locator(".approval").last
    card.locator(".approval-confirm").click()
    expect(card.locator(".approval-status")).to_contain_text("Added")
    wait_until_idle(page)
    yield s
    s.context.close()
    assert not s.watch.errors, f"script errors on the page: {s.watch.errors}"


def download(page: Page, item: str) -> Path:
    """Opens the export menu, chooses `item`; the downloaded file."""
    page.click("#trip-export")
    with page.expect_download() as info:
        page.locator("#trip-export-menu [role=menuitem]", has_text=item).click()
    return Path(info.value.path())


def test_export_menu_downloads_every_file_and_links_each_days_directions(
    stack: Stack, owner: Session
) -> None:
    page = owner.page
    trip = selected(agent_trips(stack, thread_of(owner)))
    assert len(trip["days"]) == 3, "the plan has its days"
    names = {p["id"]: p["name"] for p in trip["places"]}

    # By keyboard: Enter opens the menu on its first item, arrows move, Enter downloads.
    page.locator("#trip-export").focus()
    page.keyboard.press("Enter")
    menu = page.locator("#trip-export-menu")
    expect(menu).to_be_visible()
    expect(page.locator("#trip-export")).to_have_attribute("aria-expanded", "true")
    expect(menu.locator("[role=menuitem]").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.locator("[role=menuitem]", has_text="GPX")).to_be_focused()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == f"trip-{trip['id']}.gpx"
    gpx = gpxpy.parse(Path(info.value.path()).read_text())
    assert sorted(w.name for w in gpx.waypoints) == sorted(names.values())
    assert [[p.name for p in r.points] for r in gpx.routes] == [
        [names[i] for i in d["place_ids"]] for d in trip["days"]
    ]
    expect(menu).to_be_hidden()
    expect(page.locator("#trip-export")).to_be_focused()

    geojson = json.loads(download(page, "GeoJSON").read_text())
    points = [f for f in geojson["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in geojson["features"] if f["geometry"]["type"] == "LineString"]
    assert sorted(f["properties"]["name"] for f in points) == sorted(names.values())
    assert len(lines) == 3

    page.click("#trip-export")
    expect(menu.locator("[role=menuitem]", has_text="iCalendar")).to_be_enabled()
    page.keyboard.press("Escape")
    calendar = icalendar.Calendar.from_ical(download(page, "iCalendar").read_bytes())
    events = calendar.walk("VEVENT")  # one all-day event per dated day
    assert [e.decoded("DTSTART").isoformat() for e in events] == [d["date"] for d in trip["days"]]
    assert [d["date"] for d in trip["days"]] == ["2027-03-12", "2027-03-13", "2027-03-14"]

    # Directions: one Google Maps link per day of two or more places, in a new tab.
    page.click("#trip-export")
    links = menu.locator("a[role=menuitem]")
    expect(links).to_have_count(sum(len(d["place_ids"]) >= 2 for d in trip["days"]))
    assert all(
        href.startswith("https://www.google.com/maps/dir/?api=1")
        for href in links.evaluate_all("as => as.map(a => a.href)")
    )
    expect(links.first).to_have_attribute("target", "_blank")
    expect(links.first).to_contain_text("Day 1")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(page.locator("#trip-export")).to_be_focused()

    # A refusal is a sentence, not a broken file: the trip was deleted behind the page's back.
    gone = httpx.post(
        f"{stack.agent.url}/threads/{thread_of(owner)}/trips",
        json={"name": "Gone soon", "center_latitude": 1.0, "center_longitude": 2.0},
        timeout=10,
    ).json()
    page.reload()
    expect(page.locator("#trip-select option:checked")).to_have_text("Gone soon")
    # A trip with no dates: the calendar item is there, disabled, saying why; no download.
    page.click("#trip-export")
    ics = menu.locator("[role=menuitem]", has_text="iCalendar")
    expect(ics).to_be_disabled()  # aria-disabled: still reached by the arrow keys
    expect(ics).to_contain_text("needs dates: set a start date first")
    assert ics.evaluate("e => getComputedStyle(e).cursor") == "not-allowed"
    page.keyboard.press("End")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(ics).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#trip-export-pop .trip-out-status")).to_have_text(
        "This trip has no days yet: plan it into days with a start date to export it as a calendar."
    )
    expect(menu).to_be_visible()
    page.keyboard.press("Escape")
    httpx.delete(f"{stack.agent.url}/threads/{thread_of(owner)}/trips/{gone['id']}", timeout=10)
    page.click("#trip-export")
    menu.locator("[role=menuitem]", has_text="KML").click()
    expect(page.locator("#trip-export-pop .trip-out-status")).to_have_text(
        f"The KML file of Gone soon could not be made. There is no trip with id '{gone['id']}'."
    )
    page.keyboard.press("Escape")
    page.reload()
    page.select_option("#trip-select", label=trip["name"])
    expect(page.locator("#trip-select option:checked")).to_have_text(trip["name"])


def test_a_share_link_opens_on_another_replica_is_copied_then_turned_off(
    stack: Stack, other_ui: Service, owner: Session, chromium: Browser
) -> None:
    page = owner.page
    page.select_option("#trip-select", index=page.locator("#trip-select option").count() - 1)
    trip = selected(agent_trips(stack, thread_of(owner)))
    assert trip["days"]
    page.click("#trip-share")
    dialog = page.locator("#share-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(f"Share {trip['name']}")
    expect(page.locator("#share-create")).to_be_focused()
    page.click("#share-create")
    link = page.locator("#share-link")
    expect(link).not_to_have_value("")
    expect(page.locator("#share-expiry")).to_contain_text("Opens until")
    url = link.input_value()
    assert url.startswith(f"{stack.ui.url}/s/")
    expect(page.locator("#share-list .share-item")).to_have_count(1)
    expect(page.locator("#share-list .share-item")).to_contain_text("opens until")
    page.click("#share-link-copy")
    expect(page.locator("#share-dialog-status")).to_have_text("Link copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    screenshot(page, "share-dialog")

    # A second person, no cookie, on the other replica: the map and the days, no chat.
    path = url.removeprefix(stack.ui.url)
    # (bypass_csp: the axe-core scan is injected as an inline script)
    viewer = open_session(chromium, viewport={"width": 1280, "height": 800}, bypass_csp=True)
    try:
        shared = viewer.page
        answer = shared.goto(other_ui.url + path)
        assert answer is not None and answer.status == 200
        expect(shared.locator("#share-title")).to_have_text(trip["name"])
        expect(shared.locator(".share-day h2")).to_have_count(len(trip["days"]))
        expect(shared.locator("#share-map .leaflet-marker-icon")).to_have_count(len(trip["places"]))
        expect(shared.locator("#composer-input, #transcript")).to_have_count(0)
        # With no internet (the street tile host is dropped), the ui's own world map shows.
        expect(shared.locator("#share-map-note")).to_contain_text(
            "Street tiles from tile.openstreetmap.org cannot be loaded right now; the built-in"
        )
        expect(
            shared.locator("#share-map img.leaflet-tile-loaded[src*='/tiles/']").first
        ).to_be_visible()
        assert serious_violations(shared) == []
        screenshot(shared, "share-page")

        # Copied into their own trips: their own conversation has it, selected.
        shared.click("#share-copy")
        shared.wait_for_url(f"{other_ui.url}/")
        expect(shared.locator("#trip-select option:checked")).to_have_text(trip["name"])
        theirs = agent_trips(stack, thread_of(viewer))
        assert thread_of(viewer) != thread_of(owner)
        copy = selected(theirs)
        assert copy["id"] != trip["id"] and copy["name"] == trip["name"]
        assert [d["place_ids"] for d in copy["days"]] == [d["place_ids"] for d in trip["days"]]

        # The owner turns the link off (after a confirmation); the link says so.
        item = page.locator("#share-list .share-item")
        item.locator("button", has_text="Turn off").click()
        expect(item).to_contain_text("Anyone who has it can no longer open the trip")
        item.locator(".button-danger").click()
        expect(page.locator("#share-dialog-status")).to_contain_text("The link is turned off")
        expect(item).to_contain_text("turned off")
        expect(item.locator("button")).to_have_count(0)
        answer = shared.goto(other_ui.url + path)
        assert answer is not None and answer.status == 410
        expect(shared.locator("#share-problem")).to_contain_text("turned off by its owner")
        assert not viewer.watch.errors, viewer.watch.errors
    finally:
        viewer.context.close()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#trip-share")).to_be_focused()


def inside(box: dict[str, float] | None, width: int, height: int) -> bool:
    assert box is not None
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= height
    )


def test_the_menu_and_the_dialog_fit_a_phone(owner: Session) -> None:
    page = owner.page
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.click("#trip-export")
        menu = page.locator("#trip-export-menu")
        expect(menu).to_be_visible()
        assert inside(page.locator("#trip-export-pop").bounding_box(), 390, 844)
        heights = menu.locator("[role=menuitem]").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert min(heights) >= 44, heights  # big enough to tap
        screenshot(page, "share-phone-menu")
        page.keyboard.press("Escape")
        page.click("#trip-share")
        dialog = page.locator("#share-dialog")
        expect(dialog).to_be_visible()
        assert inside(dialog.bounding_box(), 390, 844)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        screenshot(page, "share-phone-dialog")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def test_dragging_a_marker_moves_the_place_in_the_agent(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)
    expect(page.locator(MARKERS)).to_have_count(3)
    before = selected(agent_trips(stack, thread_of(session)))
    place = before["places"][1]
    marker = page.locator(f'{MARKERS}[title="{place["name"]}"]')
    box = marker.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):  # Leaflet's drag follows mouse moves, not a jump
        page.mouse.move(x + 8 * step, y + 6 * step)
    page.mouse.up()
    expect(page.locator("#toast")).to_have_text(f"Moved {place['name']}.")
    after = selected(agent_trips(stack, thread_of(session)))
    moved = next(p for p in after["places"] if p["id"] == place["id"])
    # Right and down on the map: east and south.
    assert moved["longitude"] > place["longitude"] and moved["latitude"] < place["latitude"]
    others = [(p["id"], p["latitude"], p["longitude"]) for p in after["places"] if p is not moved]
    assert others == [
        (p["id"], p["latitude"], p["longitude"]) for p in before["places"] if p["id"] != place["id"]
    ]
