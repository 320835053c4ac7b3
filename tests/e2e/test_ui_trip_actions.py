"""Manual trip actions in a real browser: create, rename, add a place by name with the
keyboard, move a place, delete the trip; each step checked through the agent's REST API.
Near-coincident places (the Vatican's) get markers that do not hide each other."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser_stack import Session, Stack, screenshot
from tests.e2e.test_ui_browser import MARKERS
from tests.e2e.test_ui_journeys import thread_of

pytestmark = pytest.mark.browser


def agent_trips(stack: Stack, thread: str) -> dict[str, Any]:
    response = httpx.get(f"{stack.agent.url}/threads/{thread}/trips", timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def trip_named(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((t for t in body["trips"] if t["name"] == name), None)


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def trip_form_submit(page: Page, name: str) -> None:
    form = page.locator("#place-form-slot form.trip-form")
    form.locator("input[name=trip-name]").fill(name)
    form.locator("button[type=submit]").click()


def test_a_trip_made_by_hand_from_start_to_delete(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)
    expect(page.locator(MARKERS)).to_have_count(3)
    thread = thread_of(session)

    # Create, then rename: the agent has it, and it is the trip shown.
    page.click("#trip-new")
    trip_form_submit(page, "Roman holiday")
    expect(page.locator("#trip-count")).to_have_text("0 places")
    state = agent_trips(stack, thread)
    trip = trip_named(state, "Roman holiday")
    assert trip is not None and state["selected_trip_id"] == trip["id"]
    page.click("#trip-rename")
    trip_form_submit(page, "Rome with friends")
    expect(page.locator("#trip-select option:checked")).to_have_text("Rome with friends")
    state = agent_trips(stack, thread)
    assert trip_named(state, "Roman holiday") is None
    assert trip_named(state, "Rome with friends") is not None

    # Add a place by name with the keyboard only: type, Enter, arrow down, Enter.
    page.locator("#place-search-input").focus()
    page.keyboard.type("Sistine Chapel")
    page.keyboard.press("Enter")
    expect(page.locator("#place-results .place-result").first).to_contain_text("Sistine Chapel")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#place-results .place-result").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#place-list .place-name")).to_have_text(["Sistine Chapel"])
    added = trip_named(agent_trips(stack, thread), "Rome with friends")
    assert added is not None and [p["name"] for p in added["places"]] == ["Sistine Chapel"]
    sistine = added["places"][0]
    assert abs(sistine["latitude"] - 41.9029) < 0.001

    # Two neighbours a few hundred metres away and one far off: at the fitted zoom the
    # three Vatican pins would cover each other; each must stay visible and apart.
    places = f"{stack.agent.url}/threads/{thread}/trips/{trip['id']}/places"
    for name, lat, lon in [
        ("St. Peter's Basilica", 41.9022, 12.4539),
        ("Vatican Museums", 41.9065, 12.4536),
        ("Ostia Antica", 41.7556, 12.2917),
    ]:
        r = httpx.post(places, json={"name": name, "latitude": lat, "longitude": lon}, timeout=10)
        assert r.status_code == 201, r.text
    page.reload()
    expect(page.locator(MARKERS)).to_have_count(4)
    boxes = {}
    for name in ("Sistine Chapel", "St. Peter's Basilica", "Vatican Museums"):
        marker = page.locator(f'{MARKERS}[title="{name}"]')
        expect(marker).to_be_visible()
        box = marker.bounding_box()
        assert box is not None
        boxes[name] = box
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not overlap(boxes[a], boxes[b]), (a, b, boxes)
    # Spread, not moved: each still names its own place.
    expect(page.locator(f"{MARKERS}.is-spread")).to_have_count(3)
    screenshot(page, "trip-actions-spread-markers")

    # Move a place by editing its coordinates.
    item = page.locator("#place-list .place", has_text="Ostia Antica")
    item.locator(".place-more").click()
    item.locator(".menu-item", has_text="Edit").click()
    form = page.locator(".place.is-editing form")
    form.locator("input[name=latitude]").fill("41.7547")
    form.locator("input[name=longitude]").fill("12.2880")
    form.locator("button[type=submit]").click()
    expect(page.locator(".place.is-editing")).to_have_count(0)
    moved = trip_named(agent_trips(stack, thread), "Rome with friends")
    assert moved is not None
    ostia = next(p for p in moved["places"] if p["name"] == "Ostia Antica")
    assert (ostia["latitude"], ostia["longitude"]) == (41.7547, 12.288)

    # Delete the trip, with the same confirmation as a place.
    page.click("#trip-delete")
    confirm = page.locator("#place-form-slot .trip-confirm")
    expect(confirm).to_contain_text("Delete Rome with friends and its 4 places?")
    confirm.locator(".button-danger").click()
    expect(page.locator("#trip-select option", has_text="Rome with friends")).to_have_count(0)
    state = agent_trips(stack, thread)
    assert trip_named(state, "Rome with friends") is None
    assert state["selected_trip_id"] == state["trips"][0]["id"]
    expect(page.locator("#trip-select option:checked")).to_have_text(state["trips"][0]["name"])
