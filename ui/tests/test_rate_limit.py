"""The per-client rate limit: token buckets, 429 with Retry-After and a sentence, what is
not counted, one client's flood leaving others alone."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from fastapi import FastAPI

from travel_ui.rate_limit import TokenBuckets

from ui_harness import (
    UI,
    Browser,
    ui_settings,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_the_burst_then_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a") == 0.5  # one token comes every half second
    assert buckets.take("b") == 0  # another client has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0
    assert buckets.take("a") == 0.5
    # Idle long enough, the bucket is full again (and its entry has expired).
    clock.now += 10
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("a") > 0


def client_at(ui: FastAPI, address: str) -> Browser:
    transport = httpx.ASGITransport(app=ui, client=(address, 40000))
    return Browser(httpx.AsyncClient(transport=transport, base_url=UI))


async def test_over_the_limit_gets_429_with_retry_after_and_a_sentence(
    make_ui: Callable[..., FastAPI],
) -> None:
    ui = make_ui(ui_settings(rate_limit_per_second=0.05, rate_limit_burst=4))
    alice, bob = client_at(ui, "198.51.100.7"), client_at(ui, "198.51.100.8")
    await alice.open_page()  # 1
    assert (await alice.http.get("/api/state")).status_code == 200  # 2
    for _ in range(10):  # never counted: probes, metrics, static files
        assert (await alice.http.get("/healthz")).status_code == 200
        assert (await alice.http.get("/metrics")).status_code == 200
        assert (await alice.http.get("/static/0/js/main.js")).status_code == 200
    assert (await alice.http.get("/api/history")).status_code == 200  # 3
    events = await alice.chat("List my trips")  # 4
    assert events[-1]["type"] == "RUN_FINISHED"

    refused = await alice.http.post(
        "/api/chat", json={"message": "List my trips"}, headers=alice.headers()
    )
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 20  # one token every 20 s
    assert refused.json()["detail"] == (
        f"You are sending requests too quickly. Please wait {retry_after} seconds and try again."
    )
    # Still a proper answer of ours: request id, security headers, not cached.
    assert refused.headers["x-request-id"]
    assert "content-security-policy" in refused.headers
    assert refused.headers["cache-control"] == "no-store"
    for path in ("/", "/api/state", "/no/such/page"):
        assert (await alice.http.get(path)).status_code == 429

    # Someone else is not affected.
    await bob.open_page()
    assert (await bob.http.get("/api/state")).status_code == 200

    metrics = (await alice.http.get("/metrics")).text
    assert "travel_ui_rate_limited_total 4.0" in metrics
    refusals = re.findall(
        r'http_request_duration_seconds_count\{[^}]*status="429"\} (\S+)', metrics
    )
    assert sum(float(n) for n in refusals) == 4
    await alice.http.aclose()
    await bob.http.aclose()


async def test_the_limit_can_be_turned_off(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    ui = make_ui(ui_settings(rate_limit_per_second=0, rate_limit_burst=1))
    b = make_browser(ui)
    await b.open_page()
    for _ in range(30):
        assert (await b.http.get("/api/state")).status_code == 200


async def test_the_defaults_leave_a_busy_person_alone(
    make_ui: Callable[..., FastAPI], make_browser: Callable[[FastAPI], Browser]
) -> None:
    """A person clicking quickly through a whole session stays well inside the default
    burst (the soak benchmark checks the sustained rate with 50 people)."""
    settings = ui_settings()
    assert settings.rate_limit_per_second == 5 and settings.rate_limit_burst == 100
    b = make_browser(make_ui(settings))
    await b.open_page()
    for _ in range(60):
        assert (await b.http.get("/api/state")).status_code == 200
