"""Start-up imports only what the configured providers need: the openai SDK (about a
second of start-up) stays unloaded when the agent runs on the offline planner, and the
gazetteer (its data and rapidfuzz) when neither the planner nor place search is offline."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

OFFLINE_START = textwrap.dedent(
    """
    import asyncio, sys, tempfile
    from pathlib import Path

    sys.path.insert(0, sys.argv[1])

    from travel_agent.app import create_app
    from agent_kit import make_settings

    async def main():
        app = create_app(make_settings(Path(tempfile.mkdtemp())))
        async with app.router.lifespan_context(app):
            pass
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("openai", "langchain_openai"))
        assert loaded == [], loaded
        print("started without openai")

    asyncio.run(main())
    """
)


ONLINE_START = textwrap.dedent(
    """
    import asyncio, sys, tempfile
    from pathlib import Path

    sys.path.insert(0, sys.argv[1])

    from pydantic import SecretStr
    from travel_agent.app import create_app
    from agent_kit import make_settings

    async def main():
        settings = make_settings(
            Path(tempfile.mkdtemp()),
            llm_provider="openai",
            openai_api_key=SecretStr("sk-test"),
            openai_base_url="http://127.0.0.1:9/v1",
            places_provider="google",
            google_maps_api_key=SecretStr("AIza-test"),
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            pass
        loaded = sorted(
            m for m in sys.modules
            if m.split(".")[0] == "rapidfuzz" or m.startswith("travel_agent.places.offline")
        )
        assert loaded == [], loaded
        print("started without the gazetteer")

    asyncio.run(main())
    """
)


def start(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_offline_start_does_not_import_the_openai_sdk() -> None:
    done = start(OFFLINE_START)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "started without openai" in done.stdout


def test_online_start_does_not_load_the_gazetteer() -> None:
    done = start(ONLINE_START)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "started without the gazetteer" in done.stdout
