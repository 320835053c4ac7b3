"""`travelctl smoke URL` against a real HTTP server.

Until the ui service lands, that server is `ui_double.UiDouble`, a TEST DOUBLE OF OUR OWN ui
that implements the smoke contract; switch these tests to the real ui when it exists.
"""

from __future__ import annotations

import socket

import pytest
from ops_testkit import (  # noqa: F401
    Cli,
    cli_fixture,
    kubectl_fixture,
    real_kubectl_fixture,
    serve,
    workdir_fixture,
)
from ui_double import UiDouble


def smoke_against(cli: Cli, double: UiDouble, *args: str) -> tuple[int, str, str]:
    with serve(double.app()) as url:
        result = cli("smoke", url, *args)
    return result.returncode, result.stdout, result.stderr


def test_page_health_and_chat_turn_pass(cli: Cli) -> None:
    double = UiDouble()

    code, out, err = smoke_against(cli, double, "--message", "Plan a weekend in Lisbon")

    assert code == 0, err
    assert "GET / → 200 HTML" in out
    assert "GET /healthz → 200" in out
    assert "POST /api/chat streamed to RUN_FINISHED (RUN_STARTED×1" in out
    assert "passed the smoke test" in out
    # The double only streams when cookie and CSRF header match: they were sent.
    assert double.messages == ["Plan a weekend in Lisbon"]


@pytest.mark.parametrize(
    ("double", "message"),
    [
        (
            UiDouble(ending="error"),
            "The chat turn ended with RUN_ERROR: The planner is unavailable.",
        ),
        (UiDouble(ending="cut"), "The chat stream ended before RUN_FINISHED (after RUN_STARTED×1"),
        (UiDouble(healthy=False), "/healthz answered 503, not 200."),
        (UiDouble(csrf_meta=False), 'has no <meta name="csrf-token">'),
        (UiDouble(stale_token=True), "/api/chat answered 403: "),
    ],
)
def test_failures_exit_non_zero_with_a_reason(cli: Cli, double: UiDouble, message: str) -> None:
    code, _, err = smoke_against(cli, double)

    assert code == 1
    assert message in err


def test_nothing_listening(cli: Cli) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    result = cli("smoke", f"http://127.0.0.1:{port}")

    assert result.returncode == 1
    assert f"Could not talk to http://127.0.0.1:{port}: ConnectError" in result.stderr


def test_not_a_url(cli: Cli) -> None:
    result = cli("smoke", "travel.example.com")

    assert result.returncode == 2
    assert "is not an http(s) URL" in result.stderr
