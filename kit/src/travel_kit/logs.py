"""JSON log lines, the same in both services, with every secret redacted.

One line per record: `ts`, `level`, `logger`, `event`, `service`, `request_id` and
`thread_id` (from the current context, when set), whatever was passed through `extra=`,
and `exc` for a traceback. The handler sits on the root logger, so the libraries' lines
(uvicorn, httpx, the OpenAI SDK) come out the same way and pass the same redaction."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

from .redact import Redactor
from .request_ids import request_id_var, thread_id_var

# uvicorn adds "color_message" (the event again with terminal colour codes): not for JSON.
_SKIPPED = [*RESERVED_ATTRS, "color_message"]


class JsonFormatter(_LibraryJsonFormatter):
    def __init__(self, service: str | None = None, redactor: Redactor | None = None) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={
                "levelname": "level",
                "name": "logger",
                "message": "event",
                "exc_info": "exc",
            },
            reserved_attrs=_SKIPPED,
            json_ensure_ascii=False,
            json_default=str,
        )
        self.service = service
        self.redactor = redactor or Redactor()

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["ts"] = (
            datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )
        super().add_fields(log_data, record, message_dict)
        log_data["level"] = record.levelname.lower()
        if self.service:
            log_data["service"] = self.service
        if request_id := request_id_var.get():
            log_data["request_id"] = request_id
        if thread_id := thread_id_var.get():
            log_data["thread_id"] = thread_id

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: self._redacted(value) for key, value in log_data.items()}

    def _redacted(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redactor(value)
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, dict):
            return {str(k): self._redacted(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._redacted(v) for v in value]
        # Anything else is logged as its text, which may hold a secret too.
        return self.redactor(str(value))


def configure_logging(
    level: str, *, service: str | None = None, secrets: Iterable[str] = ()
) -> None:
    """JSON lines on stderr for every logger; `secrets` never appear in them."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service, Redactor(secrets)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's loggers go through the same handler; its access log is replaced by the
    # services' own request line (which knows the request id and route).
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # Library chatter (httpx logs every request's URL) stays at warning unless debugging.
    chatter = logging.DEBUG if level.lower() == "debug" else logging.WARNING
    for noisy in ("httpx", "httpcore", "httpx2", "httpcore2"):
        logging.getLogger(noisy).setLevel(chatter)
