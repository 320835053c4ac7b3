"""Both services, started as real processes with an invalid setting: one sentence on
stderr, no traceback, exit status 2, and no secret value in the sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    ("program", "setting", "value", "reason"),
    [
        ("travel-agent", "PORT", "0", "PORT: Input should be greater than or equal to 1"),
        ("travel-ui", "PORT", "70000", "PORT: Input should be less than or equal to 65535"),
        ("travel-ui", "REMOTE_ACTION_URL", "ftp://x", "REMOTE_ACTION_URL: Value error"),
    ],
)
def test_invalid_settings_exit_2_with_one_sentence(
    tmp_path: Path, program: str, setting: str, value: str, reason: str
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GOOGLE"))},
        setting: value,
        "AGENT_API_TOKEN": "tok-never-shown-1",
        "DATABASE_URL": "postgresql://u:pw-never-shown-2@db/x",
    }
    done = subprocess.run(
        [str(BIN / program)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"{program}: invalid settings: {reason}")
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "never-shown" not in done.stderr + done.stdout


def test_collection_is_paused_for_start_up_then_resumed_with_start_up_frozen() -> None:
    script = (
        "import gc\n"
        "from travel_kit.startup import pause_collection, resume_collection\n"
        "pause_collection()\n"
        "assert not gc.isenabled()\n"
        "built = [[i] for i in range(1000)]\n"
        "resume_collection()\n"
        "assert gc.isenabled() and gc.get_freeze_count() >= 1000, gc.get_freeze_count()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
