"""Small pieces of plain ASGI the services' request middleware share."""

from __future__ import annotations

import time

from starlette.types import Message, Send


class TimedResponse:
    """A `send` that passes every message on and notes the response's status (500 until a
    response starts: what the server answers when the app fails first) and the time since
    the request came in."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.started = time.perf_counter()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self._send(message)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
