"""Security of the ui's routes: headers, CSRF, body limit, cookies, escaping."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI

from travel_ui.session import COOKIE_NAME

from ui_harness import (
    UI,
    Browser,
    ui_settings,
)

XSS = "<img src=x onerror=alert(1)>"


async def test_every_response_carries_the_security_headers(browser: Browser) -> None:
    for path in ("/", "/healthz", "/api/state", "/nowhere"):
        response = await browser.http.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert "img-src 'self' data: https://tile.openstreetmap.org" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert response.headers["x-request-id"]


async def test_personal_data_is_never_cached(browser: Browser) -> None:
    for path in ("/", "/api/state", "/api/history"):
        response = await browser.http.get(path)
        assert response.headers["cache-control"] == "no-store", path


async def test_the_page_has_no_inline_script(browser: Browser) -> None:
    page = await browser.http.get("/")
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    for attrs, body in scripts:
        # Only external scripts and the non-executable JSON data block.
        assert 'src="' in attrs or ('type="application/json"' in attrs and body), attrs
    assert "onclick=" not in page.text and "javascript:" not in page.text


async def test_tile_host_from_settings_is_allowed_for_images(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    ui = make_ui(ui_settings(tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"))
    response = await make_browser(ui).http.get("/healthz")
    assert (
        "img-src 'self' data: https://*.tiles.example.org;"
        in (response.headers["content-security-policy"])
    )


async def test_changes_without_the_csrf_token_are_refused(browser: Browser) -> None:
    trip_places = "/api/trips/1/places"
    attempts = [
        ("POST", "/api/chat", {"message": "List my trips"}),
        ("POST", "/api/resume", {"interrupt_id": "x", "approved": False}),
        ("PUT", "/api/selected-trip", {"trip_id": "2"}),
        ("POST", trip_places, {"name": "Somewhere", "latitude": 1, "longitude": 2}),
        ("PATCH", f"{trip_places}/1", {"name": "Renamed"}),
        ("DELETE", f"{trip_places}/1", None),
        ("POST", "/api/new-conversation", {}),
    ]
    for method, path, body in attempts:
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            response = await browser.http.request(method, path, json=body, headers=headers)
            assert response.status_code == 403, (method, path, headers)
            assert "did not come from the planner page" in response.json()["detail"]
    # Nothing changed.
    state = await browser.state()
    assert state["selected_trip_id"] == "1"
    assert state["trips"][0]["places"][0]["name"] == "Empire State Building"


async def test_a_token_from_another_session_or_origin_is_refused(
    ui_app: FastAPI, make_browser: Callable[[FastAPI], Browser]
) -> None:
    alice, mallory = make_browser(ui_app), make_browser(ui_app)
    await alice.open_page()
    await mallory.open_page()
    response = await alice.http.put(
        "/api/selected-trip", json={"trip_id": "2"}, headers=mallory.headers()
    )
    assert response.status_code == 403
    response = await alice.http.put(
        "/api/selected-trip",
        json={"trip_id": "2"},
        headers={**alice.headers(), "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    response = await alice.http.put(
        "/api/selected-trip", json={"trip_id": "2"}, headers={**alice.headers(), "Origin": UI}
    )
    assert response.status_code == 200
    assert response.json()["selected_trip_id"] == "2"


async def test_api_without_a_session_cookie_asks_to_reload(
    ui_app: FastAPI, make_browser: Callable[[FastAPI], Browser]
) -> None:
    stranger = make_browser(ui_app)
    response = await stranger.http.get("/api/state")
    assert response.status_code == 401
    assert response.json()["detail"] == "Your session has expired. Reload the page to continue."


async def test_bodies_over_the_limit_get_413(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    ui = make_ui(ui_settings(max_body_bytes=2048))
    b = make_browser(ui)
    await b.open_page()
    big = {"message": "x" * 4000}
    response = await b.http.post("/api/chat", json=big, headers=b.headers())
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]

    async def chunks():  # no Content-Length: counted as it arrives
        for _ in range(5):
            yield b"x" * 1000

    response = await b.http.post(
        "/api/chat", content=chunks(), headers={**b.headers(), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    small = await b.http.post("/api/chat", json={"message": "hi"}, headers=b.headers())
    assert small.status_code == 200


async def test_the_thread_cookie_is_signed_httponly_and_lax(
    ui_app: FastAPI, make_browser: Callable[[FastAPI], Browser]
) -> None:
    b = make_browser(ui_app)
    page = await b.open_page()
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # COOKIE_SECURE defaults to false for localhost
    value = b.http.cookies[COOKIE_NAME]
    thread_id, _, signature = value.rpartition(".")
    assert len(thread_id) >= 32 and signature
    # The page's scripts never learn the thread id.
    assert thread_id not in page.text
    assert thread_id not in (await b.http.get("/api/state")).text


async def test_secure_cookies_when_configured(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    b = make_browser(make_ui(ui_settings(cookie_secure=True)))
    page = await b.open_page()
    assert "Secure" in page.headers["set-cookie"]


async def test_a_forged_cookie_gets_a_new_thread_not_the_named_one(
    ui_app: FastAPI, make_browser: Callable[[FastAPI], Browser]
) -> None:
    victim = make_browser(ui_app)
    await victim.open_page()
    await victim.http.put("/api/selected-trip", json={"trip_id": "2"}, headers=victim.headers())
    thread_id = victim.http.cookies[COOKIE_NAME].rpartition(".")[0]

    attacker = make_browser(ui_app)
    attacker.http.cookies.set(COOKIE_NAME, f"{thread_id}.forgedsignature", domain="ui.test")
    assert (await attacker.http.get("/api/state")).status_code == 401
    await attacker.open_page()
    assert attacker.http.cookies[COOKIE_NAME].rpartition(".")[0] != thread_id
    assert (await attacker.state())["selected_trip_id"] == "1"
    assert (await victim.state())["selected_trip_id"] == "2"


async def test_two_cookies_never_see_each_others_trips(
    ui_app: FastAPI, make_browser: Callable[[FastAPI], Browser]
) -> None:
    alice, bob = make_browser(ui_app), make_browser(ui_app)
    await alice.open_page()
    await bob.open_page()
    added = await alice.http.post(
        "/api/trips/1/places",
        json={"name": "Alice's secret bar", "latitude": 40.75, "longitude": -73.99},
        headers=alice.headers(),
    )
    assert added.status_code == 201, added.text
    assert "Alice's secret bar" in json.dumps(await alice.state())
    assert "Alice's secret bar" not in json.dumps(await bob.state())
    assert "Alice's secret bar" not in (await bob.http.get("/")).text


async def test_place_names_and_chat_text_are_escaped(browser: Browser) -> None:
    added = await browser.http.post(
        "/api/trips/1/places",
        json={"name": XSS, "latitude": 40.75, "longitude": -73.99, "description": XSS},
        headers=browser.headers(),
    )
    assert added.status_code == 201, added.text
    page = (await browser.http.get("/")).text
    assert XSS not in page
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page  # inside the JSON data block

    events = await browser.chat("List my trips")
    markdown = [e for e in events if e.get("name") == "travel_ui.markdown"]
    assert markdown, "the relay renders each finished message"
    html = markdown[-1]["value"]["html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html
    history = (await browser.http.get("/api/history")).json()["items"]
    rendered = [i["html"] for i in history if i.get("role") == "assistant"]
    assert rendered and all("<img" not in h for h in rendered)


async def test_proxied_ids_cannot_walk_to_other_agent_routes(browser: Browser) -> None:
    response = await browser.http.delete("/api/trips/%2E%2E/places/1", headers=browser.headers())
    assert response.status_code in (404, 422)
    response = await browser.http.patch(
        "/api/trips/1/places/..%2F..%2Fselected-trip",
        json={"name": "x"},
        headers=browser.headers(),
    )
    assert response.status_code == 404
    assert response.json()["detail"]


async def test_json_is_expected_on_changes(browser: Browser) -> None:
    response = await browser.http.post(
        "/api/chat",
        content=b"message=hi",
        headers={**browser.headers(), "Content-Type": "text/plain"},
    )
    assert response.status_code == 422


async def test_static_assets_are_cached_and_compressed(browser: Browser) -> None:
    page = (await browser.http.get("/")).text
    leaflet = re.search(r'href="(/static/[0-9a-f]+/vendor/leaflet/leaflet\.js)"', page)
    assert leaflet
    response = await browser.http.get(leaflet.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "immutable" in response.headers["cache-control"]
    assert "Leaflet" in response.text[:2000]
    # Any version prefix serves the current files (pages from another replica still load).
    other = await browser.http.get("/static/0000/js/main.js")
    assert other.status_code == 200
    assert other.headers["content-type"].startswith("text/javascript")


async def test_request_ids_are_kept_or_made(browser: Browser) -> None:
    kept = await browser.http.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    made = await browser.http.get("/healthz", headers={"X-Request-ID": "bad id\nwith junk"})
    assert made.headers["x-request-id"] != "bad id\nwith junk"
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])


async def test_invalid_input_is_refused_with_one_sentence_before_reaching_the_agent(
    browser: Browser,
) -> None:
    cases = [
        ("/api/trips/1/places", {"name": "x", "latitude": 500, "longitude": 0}, "latitude"),
        ("/api/trips/1/places", {"name": "   ", "latitude": 1, "longitude": 0}, "name"),
        ("/api/resume", {"interrupt_id": "i", "approved": 0}, "approved"),  # 0 is not false
        ("/api/chat", {"message": "hi", "threadId": "someone-elses"}, "threadId"),
    ]
    for path, body, field in cases:
        response = await browser.http.post(path, json=body, headers=browser.headers())
        assert response.status_code == 422, (path, body)
        detail = response.json()["detail"]
        assert isinstance(detail, str) and detail.startswith(f"Please check the {field}: "), detail
    # Nothing reached the trips.
    state = await browser.state()
    assert [p["name"] for p in state["trips"][0]["places"]][-1] != "x"


async def test_405_lists_every_method_of_the_path(browser: Browser) -> None:
    response = await browser.http.put("/api/trips/1/places/1", headers=browser.headers())
    assert response.status_code == 405
    assert response.headers["allow"] == "PATCH, DELETE"


def test_thread_ids_come_from_the_secrets_module_with_at_least_128_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from travel_ui import session

    asked: list[int] = []
    original = session.secrets.token_urlsafe

    def token_urlsafe(nbytes: int) -> str:
        asked.append(nbytes)
        return original(nbytes)

    monkeypatch.setattr(session.secrets, "token_urlsafe", token_urlsafe)
    ids = {session.new_thread_id() for _ in range(100)}
    assert len(ids) == 100
    assert asked and min(asked) * 8 >= 128
