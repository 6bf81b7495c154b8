"""Issue 12.8: the webhook answers 400 with one short log line to a body that is not JSON or
not UTF-8 (with the right secret), skips an unreadable update, and keeps serving."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import aiohttp

from tests.support.botapi import BotApiEmulator
from tests.support.processes import stop, webhook_process
from tests.support.telegram import SECRET_NAME, WEBHOOK_SECRET, broken_message

HEADERS = {"Content-Type": "application/json",
           "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
BAD_BODIES = [b"{pas du json", b"\xff\xfe\x00{}", b"[1, 2]", b"null", b'"texte"']


async def test_malformed_bodies_get_400_and_one_line_each(emu: BotApiEmulator,
                                                        tmp_path: Path) -> None:
    alice = emu.user(41, "Alice", "alice")
    chat = emu.private_chat(alice)
    async with webhook_process(emu, tmp_path / "bot.sqlite3") as (process, port), \
            aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}/hook"
        for body in BAD_BODIES:
            async with http.post(url, data=body, headers=HEADERS) as response:
                assert response.status == 400, body
        unreadable = {"update_id": 9_000, "message": broken_message(emu, 42)}
        async with http.post(url, data=json.dumps(unreadable), headers=HEADERS) as response:
            assert response.status == 200
        await emu.send_text(chat, alice, "/start")  # still serving
        await emu.wait_for_bot_messages(chat, timeout=10)
        code, log = await stop(process, signal.SIGTERM)
    assert code == 0
    assert log.count("corps illisible") == len(BAD_BODIES), log
    assert log.count("illisible, ignorée") == 1
    assert "Traceback" not in log and SECRET_NAME not in log
