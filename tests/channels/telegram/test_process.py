"""`python -m bot run` as a real process against the local Bot API: SIGTERM in the middle of
an update, the webhook mode, and what it refuses to start without."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.support.botapi import BotApiEmulator, free_port
from tests.support.processes import START, bot_process, environment, stop, webhook_process
from tests.support.telegram import WEBHOOK_SECRET


def step_of(database: Path, user_id: int) -> str | None:
    db = sqlite3.connect(database)
    try:
        row = db.execute("SELECT step FROM conversations WHERE user_id = ?",
                         (user_id,)).fetchone()
    finally:
        db.close()
    return row[0] if row else None


async def test_sigterm_finishes_the_update_in_hand_and_closes_the_database(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    alice = emu.user(11, "Alice", "alice")
    chat = emu.private_chat(alice)
    async with bot_process(environment(emu, database)) as process:
        await emu.wait_until(lambda: emu.commands() and emu.calls_to("getUpdates"), START,
                             "the bot started")
        await emu.send_text(chat, alice, "/simulation")
        [question] = await emu.wait_for_bot_messages(chat)

        # The reply to the next press hangs in Telegram (then fails, and is retried)...
        emu.fail_next("sendMessage", kind="timeout", hold=0.5)
        await emu.press(chat, alice, question.message_id, "2\u00a0postes")
        await emu.wait_until(lambda: any(c.fault == "timeout" for c in emu.calls), 5.0,
                             "the reply on hold")
        # ... when the host stops the process.
        code, log = await stop(process, signal.SIGTERM)

    assert code == 0, log
    [reply] = [m for m in emu.bot_messages(chat) if m.message_id > question.message_id]
    assert "Où se trouve votre structure ?" in (reply.text or "")
    assert "Base de données fermée" in log
    assert not (tmp_path / "bot.sqlite3-wal").exists()  # every connection closed cleanly
    assert step_of(database, alice.id) == "territoire"
    assert emu.token not in log and emu.token.split(":")[1] not in log
    assert "HTTP Request" not in log  # httpx's request lines (with URLs) are silenced
    assert not emu.pending_updates  # the update was confirmed to Telegram before leaving


async def test_webhook_process_answers_and_stops_on_sigint(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    alice = emu.user(11, "Alice", "alice")
    chat = emu.private_chat(alice)
    async with webhook_process(emu, tmp_path / "bot.sqlite3") as (process, _):
        await emu.send_text(chat, alice, "/start")
        [menu] = await emu.wait_for_bot_messages(chat, timeout=START)
        assert (menu.text or "").startswith("Bonjour")
        code, log = await stop(process, signal.SIGINT)
    assert code == 0, log
    assert emu.state.webhook is not None and emu.state.webhook.secret_token == WEBHOOK_SECRET
    assert WEBHOOK_SECRET not in log and emu.token not in log


async def test_webhook_mode_refuses_to_start_without_its_secret(
        emu: BotApiEmulator, tmp_path: Path) -> None:
    env = environment(emu, tmp_path / "bot.sqlite3", WEBHOOK_URL="https://exemple.fr/hook")
    async with bot_process(env, "--webhook") as process:
        _, stderr = await asyncio.wait_for(process.communicate(), START)
    assert process.returncode == 2
    assert "WEBHOOK_SECRET est obligatoire" in stderr.decode()
    assert emu.calls == []  # nothing was asked of Telegram


@pytest.mark.parametrize("mode", [[], ["--webhook"]], ids=["polling", "webhook"])
async def test_a_refused_start_up_says_why_and_leaves_nothing_open(
        emu: BotApiEmulator, tmp_path: Path, mode: list[str]) -> None:
    emu.fail_next("getMe", kind="403", times=20)  # Telegram refuses the token
    env = environment(emu, tmp_path / "bot.sqlite3", WEBHOOK_URL="https://exemple.fr/hook",
                      WEBHOOK_SECRET=WEBHOOK_SECRET, PORT=str(free_port()))
    async with bot_process(env, *mode) as process:
        _, stderr = await asyncio.wait_for(process.communicate(), START)
    log = stderr.decode()
    assert process.returncode == 1
    assert "Telegram a refusé le démarrage" in log
    assert "Base de données fermée" in log
    assert "Unclosed" not in log and emu.token not in log
