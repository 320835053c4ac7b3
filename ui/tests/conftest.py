"""The ui route tests' fixtures, defined in `ui_harness` (with the helpers they use) and
found by pytest here, so test modules import only the helpers they call."""

from __future__ import annotations

from ui_harness import agent_app, browser, make_browser, make_ui, ui_app

__all__ = ["agent_app", "browser", "make_browser", "make_ui", "ui_app"]
