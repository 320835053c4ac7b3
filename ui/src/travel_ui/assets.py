"""Static files: ours and Leaflet's (from the xstatic-leaflet package, never copied here).

URLs carry a content version (`/static/<version>/…`) so browsers may cache them forever;
any version prefix is served, so pages from a newer replica still load during a rollout.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import xstatic.pkg.leaflet as xstatic_leaflet
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
LEAFLET_DIR = Path(xstatic_leaflet.BASE_DIR)
LEAFLET_VERSION = str(xstatic_leaflet.VERSION)


def asset_version() -> str:
    digest = hashlib.sha256(LEAFLET_VERSION.encode())
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


class _Immutable:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message["headers"] = [
                    *message.get("headers", []),
                    (b"cache-control", b"public, max-age=31536000, immutable"),
                ]
            await send(message)

        await self.app(scope, receive, send_cached)


def static_mounts() -> list[Mount]:
    return [
        Mount(
            "/static/{version}/vendor/leaflet",
            app=_Immutable(StaticFiles(directory=LEAFLET_DIR)),
            name="leaflet",
        ),
        Mount(
            "/static/{version}",
            app=_Immutable(StaticFiles(directory=STATIC_DIR)),
            name="static",
        ),
    ]
