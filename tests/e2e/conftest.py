"""Fixtures for the browser tests: one agent + ui stack and one Chromium per session, a
fresh browser context per test, and a stack of a test's own for tests that stop its agent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.e2e.browser_stack import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Session,
    Stack,
    agent_service,
    open_session,
    ui_service,
)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The agent (offline planner and gazetteer, SQLite) and the ui in front of it."""
    workdir = tmp_path_factory.mktemp("stack")
    agent = agent_service(workdir).start("/readyz")
    ui = ui_service(workdir, agent.url).start()
    yield Stack(agent, ui)
    ui.stop()
    agent.stop()


@pytest.fixture
def start_stack(tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    """Starts an agent and a ui of the test's own (`agent_up=False`: the agent is made but
    not started, as when the planner is down); both are stopped after the test."""
    started: list[Stack] = []

    def start(*, agent_up: bool = True) -> Stack:
        agent = agent_service(tmp_path)
        if agent_up:
            agent.start("/readyz")
        started.append(Stack(agent, ui_service(tmp_path, agent.url).start()))
        return started[-1]

    yield start
    for own in started:
        own.ui.stop()
        own.agent.stop()


# Module scope, not session: Playwright's sync API keeps an event loop running in the main
# thread while it is open, and async tests collected after this folder (tests/system) could
# not start theirs.
@pytest.fixture(scope="module")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def chromium(playwright_session: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: run ./scripts/test-deps")
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def session(chromium: Browser) -> Iterator[Session]:
    s = open_session(chromium, viewport={"width": 1280, "height": 800})
    yield s
    s.context.close()
    assert not s.watch.errors, f"script errors on the page: {s.watch.errors}"
