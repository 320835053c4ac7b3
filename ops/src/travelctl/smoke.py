"""`travelctl smoke URL`: what a person does first — the page loads, the service is healthy,
and one chat turn streams through the ui to its end.

The chat step uses the ui's small chat endpoint (see ops/README.md, "Smoke contract"):
`GET /` sets the session cookie and carries `<meta name="csrf-token" content="…">`;
`POST /api/chat` with `{"message": "…"}` and header `X-CSRF-Token` answers an SSE stream of
AG-UI events that ends with `RUN_FINISHED` (pass) or `RUN_ERROR` (fail).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
from httpx_sse import SSEError, connect_sse

from travelctl import console
from travelctl.errors import OpsError

DEFAULT_MESSAGE = "Plan a one-day trip to Rome with museums"


class _CsrfMeta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "csrf-token" and self.token is None:
            self.token = values.get("content") or None


def csrf_token(html: str) -> str | None:
    parser = _CsrfMeta()
    parser.feed(html)
    return parser.token


@dataclass
class ChatResult:
    event_types: list[str] = field(default_factory=list)

    @property
    def counts(self) -> str:
        seen: dict[str, int] = {}
        for kind in self.event_types:
            seen[kind] = seen.get(kind, 0) + 1
        return ", ".join(f"{kind}×{n}" for kind, n in seen.items())


def _url(base: str, path: str) -> str:
    return base.rstrip("/") + path


def check_page(client: httpx.Client, base: str) -> str:
    response = client.get(_url(base, "/"))
    if response.status_code != 200:
        raise OpsError(f"GET {base}/ answered {response.status_code}, not 200.")
    if "text/html" not in response.headers.get("content-type", ""):
        kind = response.headers.get("content-type")
        raise OpsError(f"GET {base}/ did not answer HTML (content-type {kind}).")
    token = csrf_token(response.text)
    if not token:
        raise OpsError(f'The page at {base}/ has no <meta name="csrf-token">: is this the ui?')
    console.status(
        "ok", f"GET / → 200 HTML ({len(response.content)} bytes), session cookie and CSRF token"
    )
    return token


def check_health(client: httpx.Client, base: str) -> None:
    response = client.get(_url(base, "/healthz"))
    if response.status_code != 200:
        raise OpsError(f"GET {base}/healthz answered {response.status_code}, not 200.")
    console.status("ok", "GET /healthz → 200")


def chat_turn(
    client: httpx.Client, base: str, token: str, message: str, timeout_seconds: float
) -> ChatResult:
    result = ChatResult()
    deadline = time.monotonic() + timeout_seconds
    headers = {"X-CSRF-Token": token, "Accept": "text/event-stream"}
    with connect_sse(
        client, "POST", _url(base, "/api/chat"), json={"message": message}, headers=headers
    ) as source:
        if source.response.status_code != 200:
            source.response.read()
            raise OpsError(
                f"POST {base}/api/chat answered {source.response.status_code}: "
                f"{source.response.text[:200]}"
            )
        try:
            for sse in source.iter_sse():
                if not sse.data:
                    continue
                try:
                    event = json.loads(sse.data)
                except json.JSONDecodeError:
                    raise OpsError(
                        f"The chat stream sent an event that is not JSON: {sse.data[:120]}"
                    ) from None
                kind = str(event.get("type", "?"))
                result.event_types.append(kind)
                if kind == "RUN_FINISHED":
                    return result
                if kind == "RUN_ERROR":
                    raise OpsError(
                        f"The chat turn ended with RUN_ERROR: {event.get('message', 'no message')}"
                    )
                if time.monotonic() > deadline:
                    raise OpsError(f"The chat turn did not finish within {timeout_seconds:.0f} s.")
        except SSEError as exc:
            raise OpsError(f"POST {base}/api/chat did not answer an event stream: {exc}") from None
    raise OpsError(
        "The chat stream ended before RUN_FINISHED"
        + (f" (after {result.counts})." if result.event_types else " (no events).")
    )


def smoke(base: str, message: str, timeout_seconds: float) -> None:
    timeout = httpx.Timeout(30.0, read=timeout_seconds)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            token = check_page(client, base)
            check_health(client, base)
            result = chat_turn(client, base, token, message, timeout_seconds)
    except httpx.HTTPError as exc:
        raise OpsError(f"Could not talk to {base}: {exc.__class__.__name__}: {exc}") from None
    if "RUN_STARTED" not in result.event_types:
        raise OpsError(
            f"The chat stream reached RUN_FINISHED without RUN_STARTED ({result.counts})."
        )
    console.status("ok", f"POST /api/chat streamed to RUN_FINISHED ({result.counts})")
