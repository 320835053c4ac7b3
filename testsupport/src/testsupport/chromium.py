"""Debian's Chromium for Playwright, as the browser tests and the page benchmark run it."""

from __future__ import annotations

import re

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
# Tiles come from the internet, which tests never reach: the browser is told to drop them.
TILE_HOSTS = re.compile(r"^https?://([a-z0-9-]+\.)*tile\.openstreetmap\.org/")
