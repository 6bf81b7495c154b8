"""Secrets (a bot token, an access token) never reach a log line: masked in every record."""

from __future__ import annotations

import logging
import traceback
from typing import Any

MASK = "***"
QUIET = ("httpx", "httpcore")  # their INFO lines carry request URLs, hence the token
_secrets: set[str] = set()
_installed = False


def mask(text: str) -> str:
    """`text` with every registered secret replaced by ***."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def protect(*secrets: str | None) -> None:
    """Mask these secrets in every log record created from now on, by any logger."""
    global _installed  # noqa: PLW0603 - one record factory per process
    for secret in secrets:
        if secret:
            _secrets.add(secret)
            _, _, private = secret.partition(":")  # a bot token's secret half
            if len(private) >= 16:
                _secrets.add(private)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _masked(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


def _masked(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message, traceback and stack masked (formatted now, once)."""
    if not _secrets:
        return record
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = f"{record.msg!s} {record.args!r}"
    record.msg, record.args = mask(message), ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    return record


def configure(*secrets: str | None, level: int = logging.INFO) -> None:
    """Log to stderr, one line per record; secrets masked; httpx's URL lines silenced."""
    protect(*secrets)
    logging.basicConfig(level=level,
                        format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
