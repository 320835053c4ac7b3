"""The planner page in a real browser (Debian's Chromium) against real agent and ui processes
on the embedded defaults: offline planner, offline gazetteer, SQLite."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser_stack import (
    PLAN,
    Session,
    Stack,
    open_session,
    screenshot,
    serious_violations,
)

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
MARKERS = ".leaflet-marker-icon.marker"


def send(page: Page, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")


def wait_until_idle(page: Page) -> None:
    expect(page.locator("#send-button")).not_to_have_class(re.compile("is-stop"))


def markers(page: Page) -> list[tuple[str, str]]:
    """(title, number) of each marker on the map, in list order."""
    pairs: list[tuple[str, str]] = page.locator(MARKERS).evaluate_all(
        "els => els.map(e => [e.title, e.textContent.trim()])"
    )
    return sorted((tuple(p) for p in pairs), key=lambda p: int(p[1]))  # type: ignore[misc]


def assert_markers_in_view(page: Page) -> None:
    box = page.locator("#map").bounding_box()
    assert box is not None
    for handle in page.locator(MARKERS).all():
        m = handle.bounding_box()
        assert m is not None
        assert box["x"] <= m["x"] and m["x"] + m["width"] <= box["x"] + box["width"]
        assert box["y"] <= m["y"] and m["y"] + m["height"] <= box["y"] + box["height"]


def selected_trip(page: Page) -> str:
    return page.locator("#trip-select").evaluate("s => s.options[s.selectedIndex].text")


def add_place_by_hand(page: Page, name: str, *, x: int = 620, y: int = 420) -> None:
    page.click("#trip-add")
    expect(page.locator("#trip-hint")).to_contain_text("Click the map")
    page.mouse.click(x, y)
    form = page.locator("#place-form-slot form")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=rating]").fill("4.5")
    form.locator("textarea[name=description]").fill(f"Added by hand: {name}")
    form.locator("button[type=submit]").click()
    expect(page.locator("#place-list .place-name", has_text=name)).to_have_count(1)


def test_plan_a_trip_approve_some_places_and_reload(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)
    expect(page.locator(".greeting")).to_contain_text("Hi! I'm here to plan your trips")
    expect(page.locator(MARKERS)).to_have_count(3)
    assert selected_trip(page) == "Business Trip to NYC"
    screenshot(page, "00-first-load")

    send(page, PLAN)
    card = page.locator(".approval").last
    expect(card.locator(".approval-confirm")).to_be_enabled()
    # One search line per query, each finished with a check.
    lines = page.locator(".turn .progress-line")
    expect(lines.first).to_be_visible()
    assert lines.count() >= 2
    expect(page.locator(".turn .progress-line.is-done")).to_have_count(lines.count())
    names = card.locator(".approval-place-name").all_text_contents()
    assert len(names) >= 4
    expect(card.locator(".approval-check:checked")).to_have_count(len(names))
    screenshot(page, "01-approval-card")

    checks = card.locator(".approval-check")
    checks.nth(1).uncheck()
    checks.nth(3).uncheck()
    kept = [n for i, n in enumerate(names) if i not in (1, 3)]
    expect(card.locator(".approval-confirm")).to_have_text(f"Add {len(kept)} places")
    card.locator(".approval-confirm").click()
    expect(card.locator(".approval-status")).to_have_text(
        f"Added {len(kept)} of {len(names)} places"
    )
    expect(page.locator(".msg-assistant").last).to_contain_text("with the places you picked")
    wait_until_idle(page)

    # The map shows exactly the approved places, each numbered as in its day on the card.
    expect(page.locator(MARKERS)).to_have_count(len(kept))
    expect(page.locator("#place-list .place-name")).to_have_text(kept)
    badges = page.locator("#place-list .badge").all_text_contents()
    assert sorted(markers(page)) == sorted(zip(kept, badges, strict=True))
    assert "Rome" in selected_trip(page)
    assert_markers_in_view(page)
    screenshot(page, "02-approved-trip-on-map")

    # Hovering a place in the list highlights its marker; a marker opens the place card.
    page.locator("#place-list .place").nth(1).hover()
    expect(page.locator(f"{MARKERS}.is-active .marker-number")).to_have_text("2")
    page.locator(MARKERS).first.click(force=True)
    expect(page.locator(".leaflet-popup .place-popup")).to_contain_text(kept[0])
    screenshot(page, "03-place-popup")

    # Switching trips fits the map to the other trip.
    page.select_option("#trip-select", label="Business Trip to NYC")
    expect(page.locator(MARKERS)).to_have_count(3)
    assert_markers_in_view(page)
    rome = next(o for o in page.locator("#trip-select option").all_text_contents() if "Rome" in o)
    page.select_option("#trip-select", label=rome)
    expect(page.locator(MARKERS)).to_have_count(len(kept))

    # Reload: the same conversation, trips and selection; the decided card stays decided.
    page.reload()
    expect(page.locator(MARKERS)).to_have_count(len(kept))
    assert "Rome" in selected_trip(page)
    expect(page.locator(".msg-user")).to_have_text([PLAN])
    card = page.locator(".approval").last
    expect(card.locator(".approval-status")).to_have_text(
        f"Added {len(kept)} of {len(names)} places"
    )
    # The history's card comes folded; opened, it shows what was picked.
    expect(card.locator(".approval-check")).to_have_count(0)
    card.locator(".approval-summary").click()
    expect(card.locator(".approval-check:checked")).to_have_count(len(kept))
    expect(card.locator(".approval-check:enabled")).to_have_count(0)
    expect(card.locator(".approval-confirm")).to_be_hidden()
    screenshot(page, "04-after-reload")


def test_cancel_an_approval(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)
    send(page, PLAN)
    card = page.locator(".approval").last
    expect(card.locator(".approval-cancel")).to_be_enabled()
    expect(page.locator("#composer-input")).to_be_disabled()  # decide first
    card.locator(".approval-cancel").click()
    expect(card.locator(".approval-status")).to_have_text("Cancelled")
    expect(page.locator(".msg-assistant").last).to_contain_text("I won't make that change")
    wait_until_idle(page)
    expect(page.locator("#trip-select option")).to_have_text(
        ["Business Trip to NYC", "Vacation in Paris"]
    )
    expect(page.locator(MARKERS)).to_have_count(3)
    expect(page.locator("#composer-input")).to_be_enabled()
    screenshot(page, "05-cancelled")
    # The next turn does not repeat the earlier search's lines.
    send(page, "List my trips")
    expect(page.locator(".turn").last.locator(".msg-assistant")).to_contain_text("Your trips:")
    expect(page.locator(".turn").last.locator(".progress-line")).to_have_count(0)
    expect(page.locator(".turn").first.locator(".progress-line.is-done")).not_to_have_count(0)


def test_edit_and_delete_by_hand_then_the_agent_knows(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)

    central = page.locator("#place-list .place", has_text="Central Park")
    central.locator(".place-more").click()
    central.locator(".menu-item", has_text="Edit").click()
    form = page.locator(".place.is-editing form")
    form.locator("input[name=name]").fill("Moonlight Diner")
    form.locator("button[type=submit]").click()
    expect(page.locator("#place-list .place-name")).to_have_text(
        ["Empire State Building", "Moonlight Diner", "Times Square"]
    )

    times = page.locator("#place-list .place", has_text="Times Square")
    times.locator(".place-more").click()
    times.locator(".menu-item", has_text="Remove").click()
    expect(times).to_contain_text("Remove Times Square from this trip?")
    screenshot(page, "06-confirm-delete")
    times.locator(".button-danger").click()
    expect(page.locator("#place-list .place-name")).to_have_text(
        ["Empire State Building", "Moonlight Diner"]
    )
    expect(page.locator(MARKERS)).to_have_count(2)
    assert [t for t, _ in markers(page)] == ["Empire State Building", "Moonlight Diner"]

    send(page, "List my trips")
    reply = page.locator(".turn .msg-assistant").last
    expect(reply).to_contain_text("Moonlight Diner")
    wait_until_idle(page)
    assert "Times Square" not in (reply.text_content() or "")
    assert "Central Park" not in (reply.text_content() or "")
    # The reply is rendered Markdown: trip names in bold, one list item per trip.
    expect(reply.locator("li strong")).to_have_text(["Business Trip to NYC", "Vacation in Paris"])
    screenshot(page, "07-agent-knows-the-edit")


def test_a_suggestion_proposes_additions_and_a_subset_is_applied(
    stack: Stack, session: Session
) -> None:
    page = session.page
    page.goto(stack.ui.url)
    page.locator("#chips .chip", has_text="Add a museum to Business Trip to NYC").click()
    card = page.locator(".approval").last
    expect(card.locator(".approval-confirm")).to_have_text("Apply changes")
    expect(card).to_contain_text("Change proposed")
    added = card.locator(".approval-place-name").all_text_contents()
    assert len(added) >= 2
    card.locator(".approval-check").first.uncheck()
    screenshot(page, "15-update-approval")
    card.locator(".approval-confirm").click()
    expect(card.locator(".approval-status")).to_have_text(
        f"Applied {len(added) - 1} of {len(added)} place changes"
    )
    wait_until_idle(page)
    names = ["Empire State Building", "Central Park", "Times Square", *added[1:]]
    expect(page.locator("#place-list .place-name")).to_have_text(names)
    assert [t for t, _ in markers(page)] == names
    assert_markers_in_view(page)


def test_rename_and_delete_proposals_show_what_changes(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)
    send(page, "Rename the Paris trip to Paris with friends")
    card = page.locator(".approval").last
    expect(card.locator(".approval-confirm")).to_be_enabled()
    row = card.locator(".diff-row")
    expect(row).to_have_count(1)  # only what changes: the name
    expect(row.locator(".diff-before")).to_have_text("Vacation in Paris")
    expect(row.locator(".diff-after")).to_have_text("Paris with friends")
    card.locator(".approval-confirm").click()
    expect(card.locator(".approval-status")).to_have_text("Changes applied")
    wait_until_idle(page)
    expect(page.locator("#trip-select option")).to_have_text(
        ["Business Trip to NYC", "Paris with friends"]
    )

    send(page, "Delete the NYC trip")
    card = page.locator(".approval").last
    expect(card.locator(".approval-confirm")).to_have_text("Delete trip")
    expect(card.locator(".approval-gone li")).to_have_text(
        ["Empire State Building", "Central Park", "Times Square"]
    )
    screenshot(page, "16-delete-preview")
    card.locator(".approval-confirm").click()
    expect(card.locator(".approval-status")).to_have_text("Deleted")
    wait_until_idle(page)
    expect(page.locator("#trip-select option")).to_have_text(["Paris with friends"])
    expect(page.locator(MARKERS)).to_have_count(3)


def test_suggestions_and_new_conversation(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)
    chips = page.locator("#chips .chip")
    expect(chips).to_have_text(["Add a museum to Business Trip to NYC", "Show Vacation in Paris"])
    chips.nth(1).click()
    expect(page.locator(".msg-assistant").last).to_contain_text("Now showing Vacation in Paris")
    expect(page.locator(MARKERS)).to_have_count(3)
    assert selected_trip(page) == "Vacation in Paris"
    assert [t for t, _ in markers(page)] == ["Eiffel Tower", "Louvre Museum", "Montmartre"]
    wait_until_idle(page)
    expect(chips).to_have_text(["Add a museum to Vacation in Paris", "Show Business Trip to NYC"])

    old_cookie = _thread_cookie(session)
    page.click("#new-conversation")
    page.click("#new-confirm-yes")
    expect(page.locator("#transcript .msg")).to_have_count(1)  # the greeting only
    expect(page.locator("#trip-select option:checked")).to_have_text("Business Trip to NYC")
    assert _thread_cookie(session) != old_cookie
    page.reload()
    expect(page.locator("#transcript .msg")).to_have_count(1)
    # The new conversation still takes changes (its CSRF token came with it).
    send(page, "List my trips")
    expect(page.locator(".turn .msg-assistant").last).to_contain_text("Your trips:")


def _thread_cookie(session: Session) -> str:
    return next(c["value"] for c in session.context.cookies() if c["name"] == "travel_thread")


def test_two_browsers_never_see_each_others_trips(
    stack: Stack, session: Session, chromium: Browser
) -> None:
    alice = session.page
    alice.goto(stack.ui.url)
    add_place_by_hand(alice, "Alice's hidden gem")
    expect(alice.locator(MARKERS)).to_have_count(4)

    other = open_session(chromium, viewport={"width": 1280, "height": 800})
    try:
        bob = other.page
        bob.goto(stack.ui.url)
        expect(bob.locator(MARKERS)).to_have_count(3)
        expect(bob.locator("#place-list")).not_to_contain_text("Alice's hidden gem")
        add_place_by_hand(bob, "Bob's rooftop")
        alice.reload()
        expect(alice.locator("#place-list")).to_contain_text("Alice's hidden gem")
        expect(alice.locator("#place-list")).not_to_contain_text("Bob's rooftop")
        assert not other.watch.errors
    finally:
        other.context.close()


def test_a_place_named_like_markup_shows_as_text(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)
    add_place_by_hand(page, XSS)
    item = page.locator("#place-list .place", has_text=XSS)
    expect(item.locator(".place-name")).to_have_text(XSS)
    page.locator(f'{MARKERS}[title="{XSS}"]').click(force=True)
    expect(page.locator(".leaflet-popup .place-popup strong")).to_have_text(XSS)
    send(page, "List my trips")
    reply = page.locator(".turn .msg-assistant").last
    expect(reply).to_contain_text(XSS)
    wait_until_idle(page)
    page.reload()
    expect(page.locator("#place-list .place-name", has_text=XSS)).to_have_count(1)
    expect(page.locator(".msg-assistant").last).to_contain_text(XSS)
    assert page.locator("img[src='x']").count() == 0
    assert session.watch.dialogs == []
    screenshot(page, "08-markup-as-text")


#: Issue 12's phone: 390×844 CSS pixels.
PHONE_WIDTH, PHONE_HEIGHT = 390, 844


def test_phone_layout_has_no_horizontal_overflow(stack: Stack, chromium: Browser) -> None:
    # (bypass_csp: the axe-core scans are injected as an inline script)
    phone = open_session(
        chromium,
        viewport={"width": PHONE_WIDTH, "height": PHONE_HEIGHT},
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )
    page = phone.page
    try:
        page.goto(stack.ui.url)
        overflow = "() => document.documentElement.scrollWidth - window.innerWidth"
        expect(page.locator("#chat-open")).to_be_visible()
        expect(page.locator("#chat")).to_be_hidden()
        assert page.evaluate(overflow) <= 0
        card = page.locator("#trip-card")
        assert (card.bounding_box() or {}).get("width") == PHONE_WIDTH  # a bottom drawer
        # The tile attribution stays visible, clear of the drawer.
        attribution = page.locator(".leaflet-control-attribution")
        expect(attribution).to_contain_text("OpenStreetMap")
        a, c = attribution.bounding_box(), card.bounding_box()
        assert a and c and a["y"] + a["height"] <= c["y"] and a["x"] + a["width"] <= PHONE_WIDTH
        assert serious_violations(page) == []
        screenshot(page, "09-phone-map")

        # People may zoom the page.
        viewport = page.locator('meta[name="viewport"]').get_attribute("content") or ""
        assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
        page.click("#trip-toggle")
        expect(page.locator("#place-list .place")).to_have_count(3)
        assert page.evaluate(overflow) <= 0
        # The markers are fitted into the map above the open drawer.
        expect(page.locator(MARKERS)).to_have_count(3)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.leaflet-marker-icon.marker')].every("
            "m => m.getBoundingClientRect().bottom <="
            " document.getElementById('trip-card').getBoundingClientRect().top)"
        )
        page.click("#trip-add")
        expect(page.locator("#trip-hint")).to_contain_text("Tap the map")
        page.keyboard.press("Escape")
        assert serious_violations(page) == []
        screenshot(page, "10-phone-drawer-open")
        page.click("#trip-toggle")

        page.click("#chat-open")
        expect(page.locator("#chat")).to_be_visible()
        send(page, PLAN)
        card_ = page.locator(".approval").last
        expect(card_.locator(".approval-confirm")).to_be_enabled()
        assert page.evaluate(overflow) <= 0
        for selector in (".approval", "#composer", "#chips", ".chat-head"):
            for box in (h.bounding_box() for h in page.locator(selector).all()):
                if box:
                    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, selector
        assert serious_violations(page) == []
        screenshot(page, "11-phone-chat-approval")
        card_.locator(".approval-confirm").click()
        expect(card_.locator(".approval-status")).to_have_text("Added")
        expect(page.locator(".msg-assistant").last).to_contain_text("is on the map now")
        wait_until_idle(page)
        expect(page.locator("#chat")).to_be_hidden()  # closed by itself after the approval
        expect(page.locator(MARKERS).first).to_be_visible()
        assert page.evaluate(overflow) <= 0
        assert serious_violations(page) == []
        screenshot(page, "12-phone-trip-added")
        assert not phone.watch.errors
    finally:
        phone.context.close()


def test_agent_down_then_back(start_stack: Callable[..., Stack], chromium: Browser) -> None:
    own = start_stack(agent_up=False)  # the planner is down
    agent, ui = own.agent, own.ui
    s = open_session(chromium, viewport={"width": 1280, "height": 800})
    try:
        page = s.page
        page.goto(ui.url)
        banner = page.locator("#banner-down")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("The planner is unavailable right now.")
        expect(page.locator("#trip-card")).to_be_hidden()
        expect(page.locator("#composer-input")).to_be_disabled()
        screenshot(page, "13-agent-down")

        agent.start("/readyz")
        # The page polls with backoff and reloads its state by itself.
        expect(banner).to_be_hidden(timeout=30_000)
        expect(page.locator(MARKERS)).to_have_count(3)
        expect(page.locator("#composer-input")).to_be_enabled()
        expect(page.locator("#banner-offline")).to_contain_text("Offline planner")
        send(page, "List my trips")
        expect(page.locator(".turn .msg-assistant").last).to_contain_text("Your trips:")
        screenshot(page, "14-agent-back")
        # Dismissing the offline note keeps it dismissed.
        page.click("#offline-dismiss")
        page.reload()
        expect(page.locator(MARKERS)).to_have_count(3)
        expect(page.locator("#banner-offline")).to_be_hidden()
        assert not s.watch.errors, s.watch.errors
    finally:
        s.context.close()
