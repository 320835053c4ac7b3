"""`travel-agent`: start the agent service with graceful shutdown."""

from __future__ import annotations

import logging
import socket
import sys
import time
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

from travel_kit.startup import (
    STARTUP_FAILURE,
    load_settings,
    pause_collection,
    resume_collection,
)

from .logging_setup import configure_logging
from .settings import Settings, get_settings

if TYPE_CHECKING:  # the app is imported where it is served: a WEB_CONCURRENCY parent
    from fastapi import FastAPI  # only supervises, and needs neither

log = logging.getLogger(__name__)

#: After the grace period, how long stopped streams get to send their RUN_ERROR and close.
STOP_SECONDS = 2.0


class DrainingServer(uvicorn.Server):
    """On the first SIGTERM/SIGINT: refuse new runs and report not ready, let runs in flight
    finish (up to SHUTDOWN_GRACE_SECONDS), end the rest with RUN_ERROR, then stop and exit 0.
    A second signal stops without waiting for runs."""

    def __init__(self, config: uvicorn.Config, app: FastAPI, grace: float) -> None:
        super().__init__(config)
        self.app = app
        self.grace = grace
        self.drain_deadline: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        runtime = getattr(self.app.state, "runtime", None)
        if self.drain_deadline is not None or runtime is None:
            super().handle_exit(sig, frame)
            return
        runtime.draining = True
        self.drain_deadline = time.monotonic() + self.grace
        log.info(
            "shutdown requested; draining",
            extra={"signal": sig, "active_runs": runtime.active_runs, "grace_seconds": self.grace},
        )

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            resume_collection()  # paused in serve()

    async def on_tick(self, counter: int) -> bool:
        if self.drain_deadline is not None and not self.should_exit:
            runtime = self.app.state.runtime
            now = time.monotonic()
            if runtime.active_runs == 0:
                log.info("drained; stopping")
                self.should_exit = True
            elif now >= self.drain_deadline:
                if not runtime.stop_streams.is_set():
                    log.warning(
                        "grace period over; stopping runs in flight",
                        extra={"active_runs": runtime.active_runs},
                    )
                    runtime.stop_streams.set()
                if now >= self.drain_deadline + STOP_SECONDS:
                    self.should_exit = True
        return await super().on_tick(counter)


def serve(
    settings: Settings, app: FastAPI | None = None, sockets: list[socket.socket] | None = None
) -> None:
    """Run the service until it is told to stop; exit non-zero when it could not start."""
    pause_collection()  # until the server has started (DrainingServer.startup)
    from .app import create_app

    configure_logging(settings)
    app = app or create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    server = DrainingServer(config, app, settings.shutdown_grace_seconds)
    server.run(sockets)  # sockets: a worker's inherited listener (WEB_CONCURRENCY > 1)
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def main() -> None:
    settings = load_settings("travel-agent", get_settings)
    if settings.web_concurrency > 1:  # several processes: see workers.py
        from . import workers

        refused = workers.refusal(settings)
        if refused:
            print(f"travel-agent: {refused}", file=sys.stderr)
            sys.exit(workers.REFUSED)
        configure_logging(settings)
        sys.exit(workers.run_workers(settings))
    serve(settings)


if __name__ == "__main__":
    main()
