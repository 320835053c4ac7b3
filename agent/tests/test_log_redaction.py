"""Secrets never reach the logs (issue 9, item 4), whatever logger writes them.

A real agent process talks to a fake OpenAI-compatible upstream that answers 401 and
echoes what it received (the Authorization header, the Basic credentials from the base
URL's userinfo), as a real one echoing "Incorrect API key provided: sk-..." does. The
agent logs at debug, so httpx's request lines (with the URL) are written too."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from agent_kit import AgentClient, new_thread
from live import AgentProcess
from pg import temp_database

API_KEY = "sk-redact-me-0123456789abcdef"
BASE_PASSWORD = "base-url-pass-4242"
AGENT_TOKEN = "agent-token-redact-me-77"
DB_PASSWORD = "db-pass-redact-me-31"


class EchoingUpstream(BaseHTTPRequestHandler):
    """Answers every request 401 with OpenAI's error shape, echoing the credentials."""

    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        auth = self.headers.get("authorization", "")
        self.received.append(auth)
        body = json.dumps(
            {
                "error": {
                    "message": f"Incorrect API key provided: {auth} for {self.path}",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            }
        ).encode()
        self.send_response(401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


BASIC = base64.b64encode(f"llm-user:{BASE_PASSWORD}".encode()).decode()


@pytest.fixture
def upstream() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoingUpstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.parametrize(
    ("userinfo", "echoed"),
    [
        # The key goes out as "Authorization: Bearer <key>" and comes back in the 401.
        ("", API_KEY),
        # With user:password in OPENAI_BASE_URL, httpx sends them as Basic credentials.
        (f"llm-user:{BASE_PASSWORD}@", BASIC),
    ],
    ids=["api-key", "url-userinfo"],
)
async def test_no_configured_secret_reaches_any_log_line(
    tmp_path: Path, upstream: int, userinfo: str, echoed: str
) -> None:
    EchoingUpstream.received.clear()
    with temp_database() as url:
        db_url = url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)
        env = {
            "LOG_LEVEL": "debug",
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": API_KEY,
            "OPENAI_BASE_URL": f"http://{userinfo}127.0.0.1:{upstream}/v1",
            "LLM_MAX_RETRIES": "0",
            "AGENT_API_TOKEN": AGENT_TOKEN,
            "DATABASE_URL": db_url,
            "DATA_DIR": str(tmp_path / "data"),
        }
        # A loaded machine: the start may take a while.
        with AgentProcess(env, tmp_path / "agent.log").start(timeout=120) as agent:
            headers = {"authorization": f"Bearer {AGENT_TOKEN}"}
            async with httpx.AsyncClient(base_url=agent.url, headers=headers, timeout=60) as http:
                events = await AgentClient(http).run(new_thread(), "Plan a weekend in Lisbon")
                # The person is told, in a sentence, and nothing of the upstream's body.
                assert events[-1]["type"] == "RUN_ERROR"
                assert echoed not in json.dumps(events)
            assert agent.stop() == 0
    # The upstream really did receive (and echo) the key: the test can fail.
    assert any(echoed in auth for auth in EchoingUpstream.received)

    log = (tmp_path / "agent.log").read_text()
    for secret in (API_KEY, BASE_PASSWORD, BASIC, AGENT_TOKEN, DB_PASSWORD):
        assert secret not in log, f"{secret} is in the agent's log"
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    failed = [line for line in lines if line["event"] == "model call failed"]
    assert failed and "[redacted]" in failed[0]["exc"]
    assert failed[0]["level"] == "warning"
    # The HTTP client's request line is there (the OpenAI SDK's is httpx2), the URL's
    # userinfo taken out.
    requests = [line["event"] for line in lines if line["logger"] in ("httpx", "httpx2")]
    assert any("/v1/chat/completions" in event for event in requests)
    if userinfo:
        assert all("llm-user" not in event for event in requests)
        assert any("[redacted]@127.0.0.1" in event for event in requests)
