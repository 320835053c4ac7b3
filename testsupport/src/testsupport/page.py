"""What a client reads from the ui's page before it may change anything."""

from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


async def open_page(http: httpx.AsyncClient) -> tuple[httpx.Response, str]:
    """GET / (200, or AssertionError with the body's start) and the CSRF token it carries."""
    page = await http.get("/")
    assert page.status_code == 200, page.text[:500]
    match = CSRF.search(page.text)
    assert match, "the page carries a CSRF token"
    return page, match.group(1)
