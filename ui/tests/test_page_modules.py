"""The page preloads its script's whole static import graph, read from the module files, and
nothing it only imports on first use; every module is reachable one way or the other."""

from __future__ import annotations

import re

from travel_ui.assets import STATIC_DIR, script_modules

from ui_harness import Browser

JS = STATIC_DIR / "js"
DYNAMIC_IMPORT = re.compile(r'\bimport\(\s*"\./([\w-]+\.js)"\s*\)')


def imports(name: str) -> set[str]:
    text = (JS / name).read_text(encoding="utf-8")
    return set(re.findall(r'from\s*"\./([\w-]+\.js)"', text))


def test_the_static_graph_is_closed_and_leaves_out_what_comes_on_first_use() -> None:
    graph = script_modules()
    assert graph[0] == "main.js"
    assert len(graph) == len(set(graph))
    for name in graph:
        assert imports(name) <= set(graph), name
    later = {m for f in JS.glob("*.js") for m in DYNAMIC_IMPORT.findall(f.read_text("utf-8"))}
    assert {"trip_out.js", "day_drag.js"} <= later
    assert not later & set(graph)
    # Every module is loaded somehow: statically, or on first use (with what it imports).
    reachable = set(graph) | later | {m for name in later for m in imports(name)}
    assert reachable == {f.name for f in JS.glob("*.js")}


async def test_the_page_preloads_the_static_graph(browser: Browser) -> None:
    page = (await browser.http.get("/")).text
    preloaded = re.findall(r'rel="modulepreload" href="/static/[0-9a-f]+/js/([\w-]+\.js)"', page)
    assert sorted(preloaded) == sorted(m for m in script_modules() if m != "main.js")
    assert re.search(r'<script type="module" src="/static/[0-9a-f]+/js/main\.js"', page)
