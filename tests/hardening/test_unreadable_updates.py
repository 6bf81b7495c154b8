"""Issue 12.2: an update python-telegram-bot cannot read is skipped and logged once; the
polling goes on for everyone, the log holds no full user text nor name, SIGTERM stops it."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.support.botapi import BotApiEmulator
from tests.support.processes import START, bot_process, environment, stop
from tests.support.telegram import SECRET_NAME, SECRET_TEXT, broken_message


async def test_an_unreadable_update_does_not_stop_the_polling(emu: BotApiEmulator,
                                                             tmp_path: Path) -> None:
    alice = emu.user(21, "Alice", "alice")
    chat = emu.private_chat(alice)
    async with bot_process(environment(emu, tmp_path / "bot.sqlite3")) as process:
        await emu.wait_until(lambda: emu.calls_to("getUpdates"), START, "polling started")
        emu.state.updates.push("message", broken_message(emu, 22))
        await emu.send_text(chat, alice, "/start")
        await emu.wait_for_bot_messages(chat, timeout=10)
        polls = len(emu.calls_to("getUpdates"))
        await asyncio.sleep(1.0)
        assert len(emu.calls_to("getUpdates")) - polls < 10  # long polling, no tight loop
        code, log = await stop(process, signal.SIGTERM)
    assert code == 0
    assert log.count("illisible") == 1, log
    assert SECRET_NAME not in log and SECRET_TEXT not in log
    assert SECRET_TEXT[:100] in log  # an excerpt, as the README promises
