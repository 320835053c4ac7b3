"""The ui's JSON log lines: the shared kit's (the same fields as the agent's), with the
ui's secrets redacted."""

from __future__ import annotations

from travel_kit.logs import JsonFormatter
from travel_kit.logs import configure_logging as _configure
from travel_kit.redact import secrets_of
from travel_kit.request_ids import request_id_var, thread_id_var

from .settings import Settings

__all__ = ["JsonFormatter", "configure_logging", "request_id_var", "thread_id_var"]


def configure_logging(settings: Settings) -> None:
    _configure(settings.log_level, service="ui", secrets=secrets_of(settings))
