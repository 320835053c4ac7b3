"""`travel-ui`: serves the ui with uvicorn on HOST:PORT."""

from __future__ import annotations

import socket
import sys

import uvicorn

from travel_kit.startup import (
    STARTUP_FAILURE,
    load_settings,
    pause_collection,
    resume_collection,
)

from .logging_setup import configure_logging
from .settings import get_settings


class UiServer(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            resume_collection()  # paused in main()


def main() -> None:
    pause_collection()  # until the server has started (UiServer.startup)
    settings = load_settings("travel-ui", get_settings)
    from .app import create_app  # (imported with the collector paused)

    configure_logging(settings)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=5,
    )
    server = UiServer(config)
    server.run()
    if not server.started:  # as uvicorn.run: the address was taken, the start-up failed
        sys.exit(STARTUP_FAILURE)


if __name__ == "__main__":
    main()
