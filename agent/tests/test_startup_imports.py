"""Start-up imports only what the configured providers need: the openai SDK (about a
second of start-up) stays unloaded when the agent runs on the offline planner."""

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


def test_offline_start_does_not_import_the_openai_sdk() -> None:
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_START, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "started without openai" in done.stdout
