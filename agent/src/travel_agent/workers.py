"""`WEB_CONCURRENCY=N`: N agent processes sharing one listening socket, for N cores.

The parent binds HOST:PORT once and starts N workers (`python -m travel_agent.workers
--fd F`), each the usual single-process service (graceful drain included) accepting on the
inherited socket. The parent passes SIGTERM/SIGINT on to every worker and waits; when a
worker ends by itself, the others are stopped and the parent exits with its status, so
the process manager (Kubernetes, compose) restarts the whole service.

Only with PostgreSQL: several processes writing one SQLite file would wait on each
other's locks or fail, and a thread's runs must see one store.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType

from .settings import Settings

log = logging.getLogger(__name__)

#: Exit status when the settings do not allow several workers (as for invalid settings).
REFUSED = 2


def refusal(settings: Settings) -> str | None:
    """The sentence that refuses several workers on these settings, or None."""
    if settings.web_concurrency > 1 and settings.checkpointer_kind != "postgres":
        return (
            f"WEB_CONCURRENCY={settings.web_concurrency} needs PostgreSQL: set DATABASE_URL "
            "to a postgresql:// URL, or run one process (WEB_CONCURRENCY=1) on SQLite."
        )
    return None


def _bind(settings: Settings) -> socket.socket:
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.set_inheritable(True)
    return sock


def run_workers(settings: Settings) -> int:
    """Start the workers and supervise them; the exit status for the parent."""
    sock = _bind(settings)
    fd = sock.fileno()
    command = [sys.executable, "-m", "travel_agent.workers", "--fd", str(fd)]
    workers = [
        subprocess.Popen(command, pass_fds=(fd,))  # noqa: S603  # our own interpreter
        for _ in range(settings.web_concurrency)
    ]
    sock.close()  # the workers hold it now
    log.info("workers started", extra={"workers": [w.pid for w in workers]})
    stopping = False

    def forward(sig: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for w in workers:
            if w.poll() is None:
                w.send_signal(sig)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    status = 0
    while any(w.poll() is None for w in workers):
        ended = [w for w in workers if w.returncode is not None]
        if ended and not stopping:
            status = ended[0].returncode
            log.error(
                "a worker ended; stopping the others",
                extra={"pid": ended[0].pid, "status": status},
            )
            forward(signal.SIGTERM, None)
        time.sleep(0.2)
    if not status:
        status = next((w.returncode for w in workers if w.returncode), 0)
    return status if status >= 0 else 128 - status  # killed by a signal: 128 + its number


def main() -> None:
    """One worker: the usual service on the socket the parent bound."""
    from .main import serve  # the worker imports the app; the parent does not need it
    from .settings import get_settings

    parser = argparse.ArgumentParser(description="one agent worker (started by travel-agent)")
    parser.add_argument("--fd", type=int, required=True)
    args = parser.parse_args()
    sock = socket.socket(fileno=args.fd)
    os.set_inheritable(args.fd, False)
    serve(get_settings(), sockets=[sock])


if __name__ == "__main__":
    main()
