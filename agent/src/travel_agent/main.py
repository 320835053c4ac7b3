"""`travel-agent`: start the agent service with graceful shutdown."""

from __future__ import annotations

import logging
import time
from types import FrameType

import uvicorn
from fastapi import FastAPI

from .app import create_app
from .logging_setup import configure_logging
from .settings import Settings, get_settings

log = logging.getLogger(__name__)


class DrainingServer(uvicorn.Server):
    """On the first SIGTERM/SIGINT: refuse new runs and report not ready, let runs in flight
    finish (up to SHUTDOWN_GRACE_SECONDS), then stop. A second signal stops at once."""

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

    async def on_tick(self, counter: int) -> bool:
        if self.drain_deadline is not None and not self.should_exit:
            runtime = self.app.state.runtime
            if runtime.active_runs == 0 or time.monotonic() >= self.drain_deadline:
                if runtime.active_runs:
                    log.warning(
                        "grace period over; stopping with runs in flight",
                        extra={"active_runs": runtime.active_runs},
                    )
                self.should_exit = True
        return await super().on_tick(counter)


def serve(settings: Settings) -> None:
    configure_logging(settings.log_level)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    DrainingServer(config, app, settings.shutdown_grace_seconds).run()


def main() -> None:
    serve(get_settings())


if __name__ == "__main__":
    main()
