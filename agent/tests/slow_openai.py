"""A tiny OpenAI-compatible server on 127.0.0.1 whose chat completions stream slowly.

It answers `POST /v1/chat/completions` with `stream: true` in OpenAI's documented SSE
chunk format (`chat.completion.chunk` objects, a final chunk with `finish_reason`, a usage
chunk when `stream_options.include_usage` is set, then `data: [DONE]`). The first words
go out at once; the rest waits until the test calls `release()`, so a run stays in
flight for as long as the test needs.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "gpt-4.1-mini"


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-slow-1",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "system_fingerprint": None,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }


class SlowChatServer:
    def __init__(self, first: str = "Here is ", rest: str = "the rest of my answer.") -> None:
        self.first = first
        self.rest = rest
        self.gate = threading.Event()
        self.requests: list[dict[str, Any]] = []
        self.keys: list[str] = []  # the Authorization headers received
        self.streaming = threading.Event()  # set once the first words went out
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.keys.append(self.headers.get("Authorization", ""))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self._send(_chunk({"role": "assistant", "content": ""}))
                self._send(_chunk({"content": server.first}))
                server.streaming.set()
                # Hold the stream open until released (bounded, so nothing hangs forever).
                server.gate.wait(timeout=60)
                self._send(_chunk({"content": server.rest}))
                self._send(_chunk({}, finish="stop"))
                if (body.get("stream_options") or {}).get("include_usage"):
                    usage = {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}
                    self._send({**_chunk({}), "choices": [], "usage": usage})
                try:
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except OSError:  # the agent went away (killed mid-stream)
                    pass

            def _send(self, data: dict[str, Any]) -> None:
                try:
                    self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
                except OSError:  # the agent went away; nothing to tell it
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def release(self) -> None:
        self.gate.set()

    def __enter__(self) -> SlowChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()
