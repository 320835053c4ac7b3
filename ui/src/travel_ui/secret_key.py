"""The key that signs cookies and CSRF tokens when UI_SECRET_KEY is not set.

It is generated once and kept in DATA_DIR, so conversations survive a restart. The file
is created with mode 0600 and published with a hard link, which fails when another
process got there first: two ui processes starting together end up with the same key.
The key itself is never logged.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from .settings import Settings

KEY_FILE = "ui-secret-key"
KEY_BYTES = 32

log = logging.getLogger(__name__)


def _read(path: Path) -> bytes | None:
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        return None
    return key if len(key) >= KEY_BYTES else None


def _create(path: Path) -> bytes:
    key = secrets.token_urlsafe(KEY_BYTES).encode()
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(key)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            existing = _read(path)
            if existing is None:
                raise
            return existing
    finally:
        temp.unlink(missing_ok=True)
    return key


def stored_key(data_dir: Path) -> bytes:
    """The key kept in `data_dir`, made on first use. Raises OSError when it cannot be
    read or written there."""
    path = data_dir / KEY_FILE
    key = _read(path)
    if key is not None:
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = _create(path)
    log.info("generated the ui's signing key", extra={"path": str(path)})
    return key


def resolve_secret_key(settings: Settings) -> bytes:
    """UI_SECRET_KEY when set; otherwise the key kept in DATA_DIR; a random one for this
    process only when DATA_DIR cannot hold it (a read-only file system)."""
    if settings.ui_secret_key is not None and settings.ui_secret_key.get_secret_value():
        return settings.ui_secret_key.get_secret_value().encode()
    try:
        return stored_key(settings.data_dir)
    except OSError as exc:
        log.warning(
            "UI_SECRET_KEY is not set and DATA_DIR cannot keep a generated one: using a "
            "random key for this process. Sessions end when it restarts; set UI_SECRET_KEY "
            "or make DATA_DIR writable.",
            extra={"data_dir": str(settings.data_dir), "error": repr(exc)},
        )
        return secrets.token_bytes(KEY_BYTES)
