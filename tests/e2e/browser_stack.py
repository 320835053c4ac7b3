"""Real agent and ui processes on free ports, and Debian's Chromium driven by Playwright.
Screenshots of the main states go to test-artifacts/e2e/ (not committed)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page

from testsupport.chromium import CHROMIUM, CHROMIUM_ARGS, TILE_HOSTS
from testsupport.ports import free_port
from testsupport.processes import BIN, ServiceProcess, clean_env

__all__ = ["BIN", "CHROMIUM", "CHROMIUM_ARGS", "TILE_HOSTS", "Service", "clean_env", "free_port"]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PLAN = "Plan a 3-day trip to Rome, I like museums and old churches"


class Service(ServiceProcess):
    """One server process (agent or ui) on 127.0.0.1, logging to `<command>.log`; ready
    when `/healthz` (or the path given) answers."""

    def start(self, ready_path: str = "/healthz", timeout: float = 120) -> Service:
        super().start(ready_path, timeout)
        return self


def agent_service(workdir: Path, port: int | None = None) -> Service:
    env = clean_env(
        LLM_PROVIDER="offline",
        PLACES_PROVIDER="offline",
        DATA_DIR=str(workdir / "agent-data"),
        LOG_LEVEL="warning",
    )
    return Service("travel-agent", env, workdir, "travel-agent", port or free_port())


def ui_service(workdir: Path, agent_url: str) -> Service:
    env = clean_env(
        REMOTE_ACTION_URL=f"{agent_url}/copilotkit",
        UI_SECRET_KEY="e2e-test-signing-key",
        LOG_LEVEL="warning",
    )
    return Service("travel-ui", env, workdir, "travel-ui")


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


AXE = ROOT / ".test-tools/axe/node_modules/axe-core/axe.min.js"


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, object]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => ({id: v.id, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [f"{v['id']}: {v['nodes']}" for v in found]
