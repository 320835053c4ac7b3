"""Health, metrics labelled by route template, JSON logs; settings that derive URLs."""

from __future__ import annotations

import json
import logging
import re

import pytest

from travel_ui.logging_setup import JsonFormatter, request_id_var
from travel_ui.markdown import render_markdown

from ui_harness import (
    Browser,
    ui_settings,
)


async def test_metrics_label_routes_by_template_never_by_raw_path(browser: Browser) -> None:
    await browser.http.patch(
        "/api/trips/1/places/2",
        json={"description": "Quiet in the morning"},
        headers=browser.headers(),
    )
    await browser.http.get("/static/abc123/css/app.css")
    await browser.http.get("/no/such/page/7f3a")
    text = (await browser.http.get("/metrics")).text
    routes = set(re.findall(r'http_request_duration_seconds_count\{[^}]*route="([^"]*)"', text))
    assert "/api/trips/{trip_id}/places/{place_id}" in routes
    assert "/static/{version}" in routes
    assert "unmatched" in routes
    assert "/" in routes
    assert not any("7f3a" in r or "abc123" in r or r.endswith("/2") for r in routes)
    assert re.search(
        r'http_request_duration_seconds_count\{method="PATCH",'
        r'route="/api/trips/\{trip_id\}/places/\{place_id\}",status="200"\} 1\.0',
        text,
    )
    assert "travel_ui_active_streams 0.0" in text
    assert "process_resident_memory_bytes" in text


async def test_health(browser: Browser) -> None:
    assert (await browser.http.get("/healthz")).json() == {"status": "ok"}
    ready = (await browser.http.get("/readyz")).json()
    assert ready["status"] == "ready"
    assert ready["agent"]["checkpointer"] == "sqlite"


def test_log_lines_are_json_with_the_request_id() -> None:
    record = logging.LogRecord("travel_ui.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    record.status = 200
    token = request_id_var.set("req-7")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["event"] == "hello you"
    assert line["ts"].endswith("Z")
    assert line["request_id"] == "req-7"
    assert line["status"] == 200
    assert line["level"] == "info"


def test_secrets_never_show_in_settings_output() -> None:
    settings = ui_settings(agent_api_token="tok-123", ui_secret_key="key-456")
    assert "tok-123" not in repr(settings) and "key-456" not in repr(settings)


def test_agent_urls_are_derived_from_remote_action_url() -> None:
    settings = ui_settings(
        remote_action_url="http://a:8000/copilotkit, http://b:8001/copilotkit/ ,http://c"
    )
    assert settings.agent_run_urls == [
        "http://a:8000/copilotkit",
        "http://b:8001/copilotkit/",
        "http://c",
    ]
    assert settings.agent_base_urls == ["http://a:8000", "http://b:8001", "http://c"]
    with pytest.raises(ValueError, match="not an http"):
        ui_settings(remote_action_url="ftp://x/copilotkit")


@pytest.mark.parametrize(
    ("text", "must", "must_not"),
    [
        ("**bold** and *it*", "<strong>bold</strong>", None),
        ("<script>alert(1)</script>", "&lt;script&gt;", "<script"),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))", "href"),
        ("[site](https://example.org)", "[site](https://example.org)", "<a"),
        ("<https://evil.example>", "https://evil.example", "<a"),
        ("![x](https://evil.example/x.png)", "![x](https://evil.example/x.png)", "<img"),
        ('<a href="x" onclick="y">z</a>', "&lt;a href", "<a "),
        ("- one\n- two", "<li>one</li>", None),
    ],
)
def test_markdown_is_rendered_safely(text: str, must: str, must_not: str | None) -> None:
    html = render_markdown(text)
    assert must in html
    if must_not:
        assert must_not not in html


async def test_streams_are_counted_and_logged_by_outcome(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="travel_ui"):
        events = await browser.chat("Plan a 3-day trip to Rome, I like museums")
        interrupt = events[-1]["outcome"]["interrupts"][0]
        await browser.http.post(
            "/api/resume",
            json={"interrupt_id": interrupt["id"], "approved": True},
            headers=browser.headers(),
        )
        # A second resume of the same approval: the agent refuses the run.
        await browser.http.post(
            "/api/resume",
            json={"interrupt_id": interrupt["id"], "approved": True},
            headers=browser.headers(),
        )
    text = (await browser.http.get("/metrics")).text
    for outcome in ("interrupted", "finished", "refused"):
        assert f'travel_ui_streams_total{{outcome="{outcome}"}} 1.0' in text, outcome
    ended = [r for r in caplog.records if r.getMessage() == "stream ended"]
    assert [getattr(r, "outcome", None) for r in ended] == ["interrupted", "finished", "refused"]
    assert all(isinstance(getattr(r, "duration_ms", None), float) for r in ended)


@pytest.mark.parametrize(
    ("last", "outcome"),
    [
        ('{"type": "RUN_FINISHED", "outcome": {"type": "interrupt"}}', "interrupted"),
        ('{"type": "RUN_FINISHED"}', "finished"),
        ('{"type": "RUN_ERROR", "code": "llm_unavailable", "message": "x"}', "error"),
        ('{"type": "RUN_ERROR", "code": "agent_http_409", "message": "x"}', "refused"),
        ('{"type": "RUN_ERROR", "code": "agent_unavailable", "message": "x"}', "unavailable"),
        ('{"type": "RUN_ERROR", "code": "stream_broken", "message": "x"}', "broken"),
        ('{"type": "TEXT_MESSAGE_CONTENT", "delta": "x"}', "cancelled"),
        (None, "cancelled"),
    ],
)
def test_stream_outcomes(last: str | None, outcome: str) -> None:
    from travel_ui.relay import stream_outcome

    assert stream_outcome(last) == outcome
