"""`travel-ui`'s start-up: the cyclic collector is off while the app is imported and built
(travel_kit.startup.pause_collection), back on once the server has started, with what
start-up built frozen out of its reach."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

#: main() in a fresh interpreter, on a free port; the server stops once it has started.
_START = """
import gc, json
import travel_ui.app
import travel_ui.main as main

seen = {}
build = travel_ui.app.create_app

def create_app(settings):
    seen["building"] = gc.isenabled()
    return build(settings)

travel_ui.app.create_app = create_app

class Stops(main.UiServer):
    async def main_loop(self):
        seen["started"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()
        self.should_exit = True

main.UiServer = Stops
main.main()
print(json.dumps(seen))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_the_collector_is_paused_until_the_server_has_started() -> None:
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "REMOTE_ACTION_URL": "http://127.0.0.1:9/copilotkit",
        "UI_SECRET_KEY": "a-test-key-for-the-start-up-test",
    }
    done = subprocess.run(
        [sys.executable, "-c", _START], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["building"] is False
    assert seen["started"] is True and seen["frozen"] > 10_000, seen
