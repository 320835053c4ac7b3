"""`travel-ui`: serves the ui with uvicorn on HOST:PORT."""

from __future__ import annotations

import uvicorn

from travel_kit.startup import load_settings

from .app import create_app
from .logging_setup import configure_logging
from .settings import get_settings


def main() -> None:
    settings = load_settings("travel-ui", get_settings)
    configure_logging(settings)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
