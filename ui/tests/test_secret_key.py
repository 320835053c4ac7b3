"""The signing key when UI_SECRET_KEY is not set: generated once, kept in DATA_DIR."""

from __future__ import annotations

import logging
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from travel_ui.secret_key import KEY_FILE, resolve_secret_key

from ui_harness import ui_settings


def test_a_generated_key_is_kept_private_and_reused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    with caplog.at_level(logging.DEBUG):
        first = resolve_secret_key(ui_settings(ui_secret_key=None, data_dir=data))
        second = resolve_secret_key(ui_settings(ui_secret_key=None, data_dir=data))
    assert first == second and len(first) >= 32
    path = data / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == first
    assert first.decode() not in caplog.text
    assert [p.name for p in data.iterdir()] == [KEY_FILE]  # no temporary files left


def test_a_set_key_wins_over_the_stored_one(tmp_path: Path) -> None:
    resolve_secret_key(ui_settings(ui_secret_key=None, data_dir=tmp_path))
    assert resolve_secret_key(ui_settings(ui_secret_key="chosen", data_dir=tmp_path)) == b"chosen"


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    settings = ui_settings(ui_secret_key=None, data_dir=tmp_path)
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: resolve_secret_key(settings), range(16)))
    assert keys == {(tmp_path / KEY_FILE).read_bytes()}


def test_an_unusable_data_dir_falls_back_to_a_process_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    settings = ui_settings(ui_secret_key=None, data_dir=tmp_path / "a-file" / "data")
    with caplog.at_level(logging.WARNING):
        first = resolve_secret_key(settings)
        second = resolve_secret_key(settings)
    assert first != second
    assert "UI_SECRET_KEY is not set" in caplog.text
