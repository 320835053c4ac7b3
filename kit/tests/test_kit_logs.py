"""The shared log lines: fields, no terminal colours, non-ASCII kept, secrets redacted."""

from __future__ import annotations

import json
import logging
import sys

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from travel_kit.ids import is_thread_id
from travel_kit.logs import JsonFormatter
from travel_kit.redact import Redactor, secrets_of
from travel_kit.request_ids import is_request_id, request_id_var, thread_id_var


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("travel.x", logging.WARNING, __file__, 1, msg, args, None)
    rec.__dict__.update(extra)
    return rec


def test_a_line_has_the_shared_fields_and_the_context_ids() -> None:
    rid, tid = request_id_var.set("req-1"), thread_id_var.set("thread-0001")
    try:
        line = json.loads(JsonFormatter("ui").format(record("hello %s", "you", status=200)))
    finally:
        request_id_var.reset(rid)
        thread_id_var.reset(tid)
    assert line == {
        "ts": line["ts"],
        "level": "warning",
        "logger": "travel.x",
        "event": "hello you",
        "service": "ui",
        "request_id": "req-1",
        "thread_id": "thread-0001",
        "status": 200,
    }
    assert line["ts"].endswith("Z") and len(line["ts"]) == len("2026-01-01T00:00:00.000Z")


def test_uvicorns_colour_copy_is_dropped_and_non_ascii_is_kept() -> None:
    rec = record("Started Łódź", color_message="\x1b[32mStarted\x1b[0m")
    text = JsonFormatter("agent").format(rec)
    assert "color_message" not in text and "\x1b" not in text and "\\u001b" not in text
    assert "Łódź" in text


def test_a_traceback_is_exc_and_redacted() -> None:
    try:
        raise RuntimeError("upstream said: bad key sk-live-123456")
    except RuntimeError:
        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    line = json.loads(JsonFormatter(redactor=Redactor(["sk-live-123456"])).format(rec))
    assert "RuntimeError: upstream said: bad key [redacted]" in line["exc"]


def test_every_value_is_redacted_keys_stay() -> None:
    redactor = Redactor(['pa"ss-wo\\rd', "tok-999"])
    rec = record("calling %s", "http://u:x@h/v1", headers={"auth": "Bearer tok-999"}, n=3)
    # An upstream's JSON body, logged as text: the secret stands there JSON-escaped.
    rec.__dict__["raw"] = json.dumps({"p": 'pa"ss-wo\\rd'})
    line = json.loads(JsonFormatter(redactor=redactor).format(rec))
    assert line["event"] == "calling http://[redacted]@h/v1"
    assert line["headers"] == {"auth": "Bearer [redacted]"}
    assert line["n"] == 3
    assert line["raw"] == '{"p": "[redacted]"}'


class Example(BaseSettings):
    api_key: SecretStr | None = None
    database_url: SecretStr | None = None
    base_url: str | None = None
    name: str = "plain"


def test_the_secrets_of_settings() -> None:
    found = secrets_of(
        Example(
            api_key=SecretStr("k-1"),
            database_url=SecretStr("postgresql://app:p%40ss@db/x"),
            base_url="http://user:word@llm/v1",
        )
    )
    assert {"k-1", "postgresql://app:p%40ss@db/x", "p%40ss", "p@ss", "word", "user"} <= set(found)
    assert "plain" not in found and "llm" not in found
    assert secrets_of(Example()) == []


def test_thread_and_request_id_rules_match_the_whole_value() -> None:
    assert is_thread_id("abcdefgh")
    assert not is_thread_id("abcdefgh\n")
    assert not is_thread_id("abc")
    assert not is_thread_id("abcdefgh/x")
    assert is_request_id("req-1.2:3")
    assert not is_request_id("req-1\n")
    assert not is_request_id("x" * 129)
