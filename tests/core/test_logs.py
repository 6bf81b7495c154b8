"""JSON logs: one object per record with the update's context, parsed back; no token."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.cli import build_parser
from bot.core import logs

TOKEN = "123456:AAHsecretsecretsecretsecret_0123456789"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_json_lines_carry_the_context_and_never_the_token(
        restore_logging: None, capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("json", TOKEN)
    log = logging.getLogger("bot.test")
    with logs.bind(update_id=41, chat_id=-100, user_id=7):
        log.info("appel https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"échec avec {TOKEN}")
        except RuntimeError:
            log.exception("mise à jour en échec", extra={"step": "territoire"})
    log.warning("hors contexte")
    lines = capsys.readouterr().err.splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["level"] for e in events] == ["INFO", "ERROR", "WARNING"]
    first, second, third = events
    assert first["logger"] == "bot.test" and first["time"].endswith("Z")
    assert first["message"] == "appel https://api.telegram.org/bot***/getMe"
    assert (first["update_id"], first["chat_id"], first["user_id"]) == (41, -100, 7)
    assert second["step"] == "territoire" and "RuntimeError: échec avec ***" in \
        second["exception"]
    assert "update_id" not in third
    assert TOKEN not in "\n".join(lines) and TOKEN.split(":")[1] not in "\n".join(lines)


def test_text_format_stays_one_human_line(restore_logging: None,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure("text", TOKEN)
    logging.getLogger("bot.test").info("jeton %s", TOKEN)
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith("INFO bot.test : jeton ***")


def test_the_flag_on_run_and_chat() -> None:
    assert build_parser().parse_args(["run", "--log-format", "json"]).log_format == "json"
    assert build_parser().parse_args(["chat"]).log_format == "text"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["chat", "--log-format", "xml"])
