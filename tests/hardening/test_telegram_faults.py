"""Issues 12.3 and 12.4: an optional call that fails never stops the assistant nor loses a
press (the real Application over HTTP, faults injected by the local Bot API)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.channels.telegram.channel import build_application
from bot.content.loader import Content
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator, free_port
from tests.support.chat import FIXED_NOW
from tests.support.telegram import App, Handled, Person, serving, settings_for, test_limiter


@pytest.mark.parametrize(("kind", "times"), [("400", 1), ("500", 4)])  # 500: past 3 retries
async def test_a_refused_command_menu_does_not_stop_the_start(
        emu: BotApiEmulator, content: Content, database: Path, handled: Handled,
        person: Callable[..., Person], kind: str, times: int) -> None:
    emu.fail_next("setMyCommands", kind=kind, times=times)
    store = await Store.open(database)
    app: App = build_application(settings_for(emu, database, free_port()), content, store,
                                 clock=lambda: FIXED_NOW, rate_limiter=test_limiter())
    app.add_handler(TypeHandler(Update, handled.record), group=100)
    app.bot_data["channel"].commands_retry = 0.05
    async with serving(app):
        alice = person(31, "Alice")
        await alice.say("/start")
        assert "Bonjour" in alice.text  # served without the menu
        await emu.wait_until(emu.commands, 5.0, "the menu registered later")
    assert any(c["command"] == "simulation" for c in emu.commands())


async def test_a_press_is_handled_even_when_its_acknowledgement_fails(
        emu: BotApiEmulator, app: App, person: Callable[..., Person]) -> None:
    alice = person(32, "Alice")
    await alice.say("/simulation")
    emu.fail_next("answerCallbackQuery", kind="500", times=4)  # the first try and 3 retries
    await alice.press("2 postes")
    assert "Où se trouve votre structure" in alice.text
