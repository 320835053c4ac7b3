"""What people wrote into places and trips is never Markdown in the assistant's reply,
and a body that is not JSON gets the documented 400 (issue 9, item 5)."""

from __future__ import annotations

import pytest

from ui_harness import Browser

PHISH = "[Log in again](https://evil.example)"


async def test_a_place_named_like_a_link_is_not_a_link_in_the_reply(browser: Browser) -> None:
    added = await browser.http.post(
        "/api/trips/1/places",
        json={"name": PHISH, "latitude": 40.75, "longitude": -73.99},
        headers=browser.headers(),
    )
    assert added.status_code == 201, added.text
    events = await browser.chat("List my trips")
    rendered = [e["value"]["html"] for e in events if e.get("name") == "travel_ui.markdown"]
    history = (await browser.http.get("/api/history")).json()["items"]
    rendered += [i["html"] for i in history if i.get("role") == "assistant"]
    quoting = [html for html in rendered if "evil.example" in html]
    assert quoting, "the reply lists the place"
    for html in quoting:
        assert "<a" not in html and "href" not in html
        assert PHISH in html  # shown as the text it is


@pytest.mark.parametrize("path", ["/api/chat", "/api/trips/1/places"])
async def test_a_body_that_is_not_json_gets_400(browser: Browser, path: str) -> None:
    answer = await browser.http.post(
        path,
        content=b'{"message": "hi"',
        headers={**browser.headers(), "content-type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.json() == {"detail": "The request body is not valid JSON."}
