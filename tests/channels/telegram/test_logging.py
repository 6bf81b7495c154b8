"""The bot token never reaches a log line, whichever logger writes it and however."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.channels.telegram.sweeps import sweep_bot
from bot.core import redaction
from tests.support.botapi import BotApiEmulator
from tests.support.telegram import App, Person

TOKEN = "987654321:AAH-very_secret_part_of_the_token_42"


def test_messages_arguments_and_tracebacks_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    redaction.protect(TOKEN)
    log = logging.getLogger("tests.telegram.masking")
    with caplog.at_level(logging.INFO):
        log.info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
        log.warning("secret half alone: %s", TOKEN.split(":")[1])
        try:
            raise RuntimeError(f"connection to /bot{TOKEN}/sendMessage refused")
        except RuntimeError:
            log.exception("échec")
    text = caplog.text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert text.count(redaction.MASK) == 3
    assert "/bot***/sendMessage refused" in text


async def test_a_running_bot_never_logs_its_token(
        app: App, emu: BotApiEmulator, person: Callable[..., Person],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    alice = person(11, "Alice")
    emu.fail_next("sendMessage", kind="500")
    emu.fail_next("answerCallbackQuery", kind="disconnect")
    await alice.say("/start")
    await alice.press("Le programme en bref")
    assert any("sendMessage" in r.getMessage() for r in caplog.records
               if r.name.startswith("telegram"))
    assert emu.token not in caplog.text and emu.token.split(":")[1] not in caplog.text


async def test_the_reminder_bot_s_request_lines_are_masked(
        emu: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    redaction.protect(emu.token)
    caplog.set_level(logging.DEBUG, logger="httpx")  # the loudest, with every URL
    bot = sweep_bot(emu.token, emu.base_url)
    async with bot:
        await bot.get_me()
    assert any(redaction.MASK in r.getMessage() for r in caplog.records
               if r.name == "httpx")
    assert emu.token not in caplog.text and emu.token.split(":")[1] not in caplog.text
