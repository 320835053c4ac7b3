"""The trip's days on the page, in Debian's Chromium against the real agent and ui (offline
planner): plan a 3-day trip and approve part of it, see the days with their colours,
numbers, route lines and totals, approve part of a re-plan, move places by drag and by
keyboard, set the start date, and find it all again after a reload, on a phone too."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.e2e.browser_stack import Session, Stack, open_session, screenshot
from tests.e2e.test_ui_browser import MARKERS, send, wait_until_idle

pytestmark = pytest.mark.browser

DAYS = "#place-list .day:not(.is-unscheduled)"


def agent_trip(stack: Stack, page: Page) -> dict[str, Any]:
    """The selected trip as the agent stores it (asked of the agent, not of the page)."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "travel_thread")
    thread = cookie["value"].rpartition(".")[0].partition(":")[0]
    body = httpx.get(f"{stack.agent.url}/threads/{thread}/trips").json()
    return next(t for t in body["trips"] if t["id"] == body["selected_trip_id"])


def day_names(page: Page, day: int) -> list[str]:
    return page.locator(f"#place-list .day[data-day='{day}'] .place-name").all_text_contents()


def names_of(trip: dict[str, Any], day: int) -> list[str]:
    by_id = {p["id"]: p["name"] for p in trip["places"]}
    return [by_id[i] for i in trip["days"][day - 1]["place_ids"]]


def rgb(locator: Locator, prop: str) -> tuple[int, ...]:
    text = locator.evaluate("(e, p) => getComputedStyle(e)[p]", prop)
    found = tuple(int(float(v)) for v in re.findall(r"[\d.]+", text)[:3])
    assert len(found) == 3, (prop, text)
    return found


def contrast_with_white(colour: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def check_days_drawn(page: Page, trip: dict[str, Any]) -> None:
    """Each stored day: its places in order, numbered 1.. in the day's own readable colour
    on the list and the map, and a route line of that colour when it has two stops.
    Read once the day routes' redraw is done (the network is idle): a badge read while
    the list is being redrawn has no colour yet."""
    page.wait_for_load_state("networkidle")
    colours = set()
    for n, day in enumerate(trip["days"], start=1):
        names = names_of(trip, n)
        expect(page.locator(f"#place-list .day[data-day='{n}'] .place-name")).to_have_text(names)
        badges = page.locator(f"#place-list .day[data-day='{n}'] .badge")
        expect(badges).to_have_text([str(i + 1) for i in range(len(names))])
        pins = page.locator(f"{MARKERS}[data-day='{n}']")
        numbers = sorted(int(t) for t in pins.locator(".marker-number").all_text_contents())
        assert numbers == list(range(1, len(names) + 1)), (n, numbers)
        colour = rgb(badges.first, "backgroundColor") if names else None
        if colour:
            assert contrast_with_white(colour) >= 4.5, colour
            # (a highlighted marker, of the place with the focus, takes the accent colour)
            idle = page.locator(f"{MARKERS}[data-day='{n}']:not(.is-active) .marker-pin")
            assert rgb(idle.first, "backgroundColor") == colour
            colours.add(colour)
        line = page.locator(f"path.route-line:not(.is-proposed)[data-day='{n}']")
        expect(line).to_have_count(1 if len(names) > 1 else 0)
        if len(names) > 1:
            assert rgb(line, "stroke") == colour
    assert len(colours) == len([d for d in trip["days"] if d["place_ids"]]), "one colour a day"


def proposal(page: Page, text: str) -> Locator:
    """The approval card the planner answers `text` with, ready for a decision."""
    send(page, text)
    card = page.locator(".approval").last
    expect(card.locator(".approval-confirm")).to_be_enabled()
    return card


def test_plan_reshape_and_reload_a_multi_day_trip(stack: Stack, session: Session) -> None:
    page = session.page
    page.goto(stack.ui.url)
    card = proposal(page, "Plan a 3-day trip to Rome")
    # The proposal shows its three days, and the map shows them proposed (dashed lines,
    # markers in the proposed day's colour) apart from stored ones.
    expect(card.locator(".approval-day")).to_have_count(3)
    offered = card.locator(".approval-check").count()
    expect(page.locator(".proposed-marker.is-in-day")).to_have_count(offered)
    expect(page.locator("path.route-line.is-proposed")).to_have_count(3)
    left_out = card.locator(".approval-day[data-day='3'] .approval-place-name").first.text_content()
    card.locator(".approval-day[data-day='3'] .approval-check").first.uncheck()
    expect(card.locator(".approval-confirm")).to_have_text(f"Add {offered - 1} places")
    screenshot(page, "days-01-plan-approval")
    card.locator(".approval-confirm").click()
    expect(card.locator(".approval-status")).to_have_text(
        f"Added {offered - 1} of {offered} places"
    )
    wait_until_idle(page)
    expect(page.locator(".proposed-marker")).to_have_count(0)
    expect(page.locator("path.route-line.is-proposed")).to_have_count(0)

    trip = agent_trip(stack, page)
    assert len(trip["days"]) == 3 and left_out not in [p["name"] for p in trip["places"]]
    expect(page.locator(DAYS)).to_have_count(3)
    expect(page.locator("#trip-count")).to_have_text(f"{offered - 1} places · 3 days")
    check_days_drawn(page, trip)
    # Leg and day totals, labelled as estimates (offline routing).
    expect(page.locator(f"{DAYS} .day-totals").first).to_contain_text("walking (estimate)")
    expect(page.locator("#trip-totals")).to_contain_text(re.compile(r"3 days · .+ \(estimate\)"))
    expect(page.locator("#place-list .leg").first).to_contain_text(re.compile(r"\d+ (m|km) · "))
    screenshot(page, "days-02-days-on-map")

    # A re-plan into 2 days, approved for all places but one: that one stays where it was.
    card = proposal(page, "Spread the Rome trip over 2 days")
    expect(card.locator(".approval-head")).to_contain_text("Day plan proposed")
    expect(card.locator(".approval-day:not([data-day=''])")).to_have_count(2)
    expect(card.locator(".approval-place-address", has_text="was: Day")).not_to_have_count(0)
    # The places it moves show on the map in their proposed day, over the stored ones.
    expect(page.locator(".proposed-marker.is-in-day")).to_have_count(
        card.locator(".approval-check").count()
    )
    expect(page.locator("path.route-line.is-proposed")).not_to_have_count(0)
    kept_check = card.locator(".approval-check").first
    kept_id = kept_check.get_attribute("data-place-id")
    kept_check.uncheck()
    total = card.locator(".approval-check").count()
    expect(card.locator(".approval-confirm")).to_have_text(f"Apply {total - 1} of {total} places")
    card.locator(".approval-confirm").click()
    expect(card.locator(".approval-status")).to_have_text(
        f"Applied {total - 1} of {total} place changes"
    )
    wait_until_idle(page)
    replanned = agent_trip(stack, page)
    assert len(replanned["days"]) == 2

    def day_of(t: dict[str, Any], place_id: str | None) -> str | None:
        return next((d["id"] for d in t["days"] if place_id in d["place_ids"]), None)

    was = day_of(trip, kept_id)
    assert day_of(replanned, kept_id) == (
        was if was in {d["id"] for d in replanned["days"]} else None
    )
    expect(page.locator(DAYS)).to_have_count(2)
    check_days_drawn(page, replanned)

    # Drag the first place of day 1 to the top of day 2: the agent stores the move.
    moving = names_of(replanned, 1)[0]
    # The day routes arrive after the approval's redraw and redraw the card again: a drag
    # begun before that lands on a list that is replaced under the pointer.
    page.wait_for_load_state("networkidle")
    target = page.locator("#place-list .day[data-day='2'] .place").first
    page.locator("#place-list .day[data-day='1'] .place").first.drag_to(
        target, target_position={"x": 40, "y": 4}
    )
    expect(page.locator("#place-list .day[data-day='2'] .place-name").first).to_have_text(moving)
    dragged = agent_trip(stack, page)
    assert names_of(dragged, 2)[0] == moving and moving not in names_of(dragged, 1)
    assert names_of(dragged, 2)[1:] == names_of(replanned, 2)
    check_days_drawn(page, dragged)

    # By keyboard: the place's menu, "Move down" then "Move to Day 1".
    item = page.locator("#place-list .place", has_text=moving)
    item.locator(".place-more").focus()
    page.keyboard.press("Enter")
    item.get_by_role("button", name="Move down").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#place-list .day[data-day='2'] .place-name").nth(1)).to_have_text(moving)
    expect(page.locator("#place-list .place", has_text=moving)).to_be_focused()
    assert names_of(agent_trip(stack, page), 2)[1] == moving
    item = page.locator("#place-list .place", has_text=moving)
    item.locator(".place-more").focus()
    page.keyboard.press("Enter")
    item.get_by_role("button", name="Move to Day 1").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#place-list .day[data-day='1'] .place-name").last).to_have_text(moving)
    assert names_of(agent_trip(stack, page), 1)[-1] == moving

    # The start date from the card: consecutive dates on the days.
    page.fill("#trip-start", "2027-03-12")
    expect(page.locator("#place-list .day[data-day='2'] time")).to_have_attribute(
        "datetime", "2027-03-13"
    )
    dated = agent_trip(stack, page)
    assert dated["start_date"] == "2027-03-12"
    assert [d["date"] for d in dated["days"]] == ["2027-03-12", "2027-03-13"]
    screenshot(page, "days-03-moved-and-dated")

    # Reload: the same days, order, numbers, colours, lines and dates.
    page.reload()
    expect(page.locator(DAYS)).to_have_count(2)
    expect(page.locator("#trip-start")).to_have_value("2027-03-12")
    check_days_drawn(page, dated)
    expect(page.locator("#place-list .day[data-day='1'] time")).to_have_attribute(
        "datetime", "2027-03-12"
    )

    # A phone: the drawer opens on the same days, nothing runs off the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.locator("#trip-toggle").click()
    expect(page.locator(DAYS).first).to_be_visible()
    expect(page.locator("#trip-start")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check_days_drawn(page, dated)
    screenshot(page, "days-04-phone")

    # Clearing the dates from the card.
    page.locator("#trip-start-clear").click()
    expect(page.locator("#place-list .day time")).to_have_count(0)
    assert agent_trip(stack, page)["start_date"] is None


def test_a_proposed_day_is_numbered_after_its_checkboxes(stack: Stack, session: Session) -> None:
    """Each stop of a proposed day reads "☐ 1. Name": the number after the checkbox, not a
    list marker in front of it (and "Not yet scheduled" is not numbered)."""
    page = session.page
    page.goto(stack.ui.url)
    card = proposal(page, "Plan a 3-day trip to Rome")
    day = card.locator(".approval-day[data-day='1']")
    rows = day.locator("li")
    expect(day.locator(".approval-stop")).to_have_text(
        [f"{i}." for i in range(1, rows.count() + 1)]
    )
    assert day.locator("ol").evaluate("e => getComputedStyle(e).listStyleType") == "none"
    check, stop = day.locator(".approval-check").first, day.locator(".approval-stop").first
    check_box, stop_box = check.bounding_box(), stop.bounding_box()
    assert check_box is not None and stop_box is not None
    assert stop_box["x"] >= check_box["x"] + check_box["width"]
    expect(card.locator(".approval-day[data-day=''] .approval-stop")).to_have_count(0)
    screenshot(page, "days-05-proposed-day-numbers")


def test_the_day_routes_wait_for_a_drag_to_end(stack: Stack, session: Session) -> None:
    """Day routes that arrive while a place is being dragged are drawn after the drop: the
    list is not replaced (nor moved by the totals it gains) under the pointer."""
    page = session.page
    page.goto(stack.ui.url)
    proposal(page, "Plan a 3-day trip to Rome").locator(".approval-confirm").click()
    wait_until_idle(page)
    expect(page.locator(DAYS)).to_have_count(3)
    page.wait_for_load_state("networkidle")
    # After a reload the page asks for the routes again: that answer is held back.
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/trips/*/routes", hold_the_first)
    with page.expect_request(lambda r: r.url.endswith("/routes")):
        page.reload()
    expect(page.locator(DAYS)).to_have_count(3)
    expect(page.locator("#place-list .day-totals")).to_have_count(0)

    source = page.locator("#place-list .day[data-day='1'] .place").first
    box = source.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] / 2 + 20, steps=4)
    dragging = page.locator("#place-list .place.is-dragging")
    expect(dragging).to_have_count(1)
    with page.expect_event("requestfinished", lambda r: r.url.endswith("/routes")):
        held[0].continue_()
    # Two frames: the answer has been read and handled by the page's scripts.
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    expect(dragging).to_have_count(1)
    expect(page.locator("#place-list .day-totals")).to_have_count(0)

    # Dropped on the lower half of the day's second place: the dragged one goes after it.
    first, second, *rest = day_names(page, 1)
    target_box = page.locator("#place-list .day[data-day='1'] .place").nth(1).bounding_box()
    assert target_box is not None
    page.mouse.move(target_box["x"] + 40, target_box["y"] + target_box["height"] * 0.75, steps=4)
    page.mouse.up()
    expect(page.locator("#place-list .day[data-day='1'] .place-name")).to_have_text(
        [second, first, *rest]
    )
    expect(page.locator("#place-list .day-totals")).not_to_have_count(0)
    assert names_of(agent_trip(stack, page), 1) == [second, first, *rest]


def finger_drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """One finger from `start` to `end` and up, as a phone's screen sends it (CDP touch
    events, in one session: it keeps the touch between events; Playwright's own `tap`
    has no move)."""
    (x0, y0), (x1, y1) = start, end
    cdp = page.context.new_cdp_session(page)
    try:
        steps = [(x0 + (x1 - x0) * i / 8, y0 + (y1 - y0) * i / 8) for i in range(9)]
        for i, (x, y) in enumerate(steps):
            kind = "touchStart" if i == 0 else "touchMove"
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()


def middle(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_a_finger_moves_a_place_to_another_day_by_its_number(
    stack: Stack, chromium: Browser
) -> None:
    """On a phone (touch events, not a mouse): a finger on a place's number badge drags
    the place to another day; a finger on the rest of the place scrolls the list instead."""
    phone = open_session(
        chromium, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = phone.page
    try:
        page.goto(stack.ui.url)
        page.tap("#chat-open")
        card = proposal(page, "Plan a 3-day trip to Rome")
        card.locator(".approval-confirm").tap()
        wait_until_idle(page)
        expect(page.locator("#chat")).to_be_hidden()
        page.tap("#trip-toggle")
        expect(page.locator(DAYS)).to_have_count(3)
        # The drawer has slid up and the day routes' redraw is done: places stay put.
        page.wait_for_function("() => !document.getElementById('trip-card').getAnimations().length")
        page.wait_for_load_state("networkidle")
        before = agent_trip(stack, page)
        moving = names_of(before, 1)[-1]
        source = page.locator("#place-list .day[data-day='1'] .place").last
        target = page.locator("#place-list .day[data-day='2'] .place").first
        badge = source.locator(".badge")
        scrolled = "() => document.querySelector('.trip-body').scrollTop"
        # A list flung by a finger goes on scrolling for a while: until 10 frames without.
        settled = """() => new Promise((done) => {
          const list = document.querySelector('.trip-body');
          let last = list.scrollTop, still = 0;
          const frame = () => {
            still = list.scrollTop === last ? still + 1 : 0;
            last = list.scrollTop;
            if (still >= 10) done(); else requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        })"""
        hit = "([x, y]) => document.elementFromPoint(x, y)?.closest('.badge, .place')?.className"

        # A finger on the name, moved down: the list scrolls, nothing is dragged.
        source.evaluate("e => e.scrollIntoView({block: 'center'})")
        top = page.evaluate(scrolled)
        finger_drag(page, middle(source.locator(".place-name")), middle(target))
        expect(page.locator("#place-list .place.is-dragging")).to_have_count(0)
        page.evaluate(settled)
        assert page.evaluate(scrolled) < top
        assert agent_trip(stack, page)["days"] == before["days"]

        # A finger on the number: the place goes to the top of day 2.
        source.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.evaluate(settled)
        box = target.bounding_box()
        assert box is not None and box["y"] + 4 < 844
        assert page.evaluate(hit, middle(badge)) == "badge"
        finger_drag(page, middle(badge), (middle(target)[0], box["y"] + 4))
        expect(page.locator("#place-list .day[data-day='2'] .place-name").first).to_have_text(
            moving
        )
        after = agent_trip(stack, page)
        assert names_of(after, 2) == [moving, *names_of(before, 2)]
        assert names_of(after, 1) == names_of(before, 1)[:-1]
        check_days_drawn(page, after)
        screenshot(page, "days-06-phone-touch-drag")
        assert not phone.watch.errors
    finally:
        phone.context.close()
