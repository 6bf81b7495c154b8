"""Logging set-up: human text (default) or one JSON object per event (`--log-format json`).

A JSON line carries time, level, logger, message, the context of the update being handled
(update_id, chat_id, user_id: `bind()`), any `extra=` fields, and the traceback if any. The
token masking of bot/core/redaction.py applies to both formats (records are masked
when created), and the JSON line is masked once more as a whole.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.core import redaction

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s : %(message)s"
CONTEXT_FIELDS = ("update_id", "chat_id", "user_id")
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "log_context", default=None)
# Attributes every LogRecord has: anything else was given with extra= and is a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


@contextmanager
def bind(**fields: Any) -> Iterator[None]:
    """Add these fields (update_id, chat_id…) to the records logged inside the block."""
    current = _context.get() or {}
    token = _context.set({**current, **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Copies the bound context onto each record (without overriding extra= fields)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_context.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = value if isinstance(value, int | float | bool | None) \
                    else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["exception"] = record.exc_text
        if record.stack_info:
            event["stack"] = record.stack_info
        return redaction.mask(json.dumps(event, ensure_ascii=False))


def configure(log_format: str = "text", *secrets: str | None,
              level: int = logging.INFO) -> None:
    """Log to stderr in `log_format`, secrets masked, httpx's URL lines silenced."""
    if log_format not in FORMATS:
        raise ValueError(f"unknown log format {log_format!r}")
    redaction.protect(*secrets)
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json"
                         else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in redaction.QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
