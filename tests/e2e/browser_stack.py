"""Real agent and ui processes on free ports, and Debian's Chromium driven by Playwright.
Screenshots of the main states go to test-artifacts/e2e/ (not committed)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.sync_api import Browser, BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PLAN = "Plan a 3-day trip to Rome, I like museums and old churches"
# Tiles come from the internet, which tests never reach: the browser is told to drop them.
TILE_HOSTS = re.compile(r"^https?://([a-z0-9-]+\.)*tile\.openstreetmap\.org/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    # No real providers in tests, whatever the developer's shell has.
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI", "GOOGLE", "DATABASE_URL", "AGENT_API_TOKEN"))
    }
    return {**keep, **extra}


@dataclass
class Service:
    """One server process (agent or ui) on 127.0.0.1, logging to a file."""

    name: str
    port: int
    env: dict[str, str]
    workdir: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self, ready_path: str = "/healthz", timeout: float = 60) -> Service:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(BIN / self.name)],
            env={**self.env, "HOST": "127.0.0.1", "PORT": str(self.port)},
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + ready_path, timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def agent_service(workdir: Path, port: int | None = None) -> Service:
    env = clean_env(
        LLM_PROVIDER="offline",
        PLACES_PROVIDER="offline",
        DATA_DIR=str(workdir / "agent-data"),
        LOG_LEVEL="warning",
    )
    return Service("travel-agent", port or free_port(), env, workdir)


def ui_service(workdir: Path, agent_url: str) -> Service:
    env = clean_env(
        REMOTE_ACTION_URL=f"{agent_url}/copilotkit",
        UI_SECRET_KEY="e2e-test-signing-key",
        LOG_LEVEL="warning",
    )
    return Service("travel-ui", free_port(), env, workdir)


@dataclass
class Stack:
    agent: Service
    ui: Service


class Watch:
    """What a page did that it should not: script errors and dialogs (alert, confirm)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def attach(self, page: Page) -> Page:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

        def dialog(d: object) -> None:
            self.dialogs.append(getattr(d, "message", "?"))
            d.dismiss()  # type: ignore[attr-defined]

        page.on("dialog", dialog)
        return page

    def _console(self, message: object) -> None:
        text = getattr(message, "text", "")
        # Dropped tiles show as failed loads; anything else is a real problem.
        if getattr(message, "type", "") == "error" and "Failed to load resource" not in text:
            self.errors.append(text)


@dataclass
class Session:
    context: BrowserContext
    page: Page
    watch: Watch

    def new_page(self) -> Page:
        return self.watch.attach(self.context.new_page())


def open_session(chromium: Browser, **context_options: object) -> Session:
    context = chromium.new_context(**context_options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    context.route(TILE_HOSTS, lambda route: route.abort())
    watch = Watch()
    return Session(context, watch.attach(context.new_page()), watch)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
