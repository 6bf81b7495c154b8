"""Telegram and Matrix served by one `python -m bot run`: both answer, each channel's sweep
sends only its own chats' reminders, SIGTERM stops both."""

from __future__ import annotations

import datetime as dt
import secrets
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.core.chat_ids import MATRIX_BASE, is_matrix, is_telegram
from bot.delivery.scope import Scoped
from bot.reminders.store import ReminderStore
from bot.storage.store import Store
from bot.storage.timestamps import ts
from tests.support.botapi import BotApiEmulator
from tests.support.matrix import matrix_user
from tests.support.processes import START, bot_process, environment, stop
from tests.support.synapse import Synapse


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


async def test_one_process_serves_telegram_and_matrix(emu: BotApiEmulator, synapse: Synapse,
                                                      tmp_path: Path) -> None:
    bot = synapse.register(f"bot_{secrets.token_hex(3)}")
    env = environment(emu, tmp_path / "bot.sqlite3", MATRIX_HOMESERVER=synapse.url,
                      MATRIX_USER_ID=bot.user_id, MATRIX_ACCESS_TOKEN=bot.access_token)
    alice = emu.user(11, "Alice", "alice")
    chat = emu.private_chat(alice)
    async with matrix_user(synapse, f"max_{secrets.token_hex(3)}", tmp_path) as max_, \
            bot_process(env) as process:
        await emu.wait_until(lambda: emu.commands() and emu.calls_to("getUpdates"), START,
                             "Telegram started")
        await emu.send_text(chat, alice, "combien pour 2 postes en outre-mer ?")
        [telegram_answer] = await emu.wait_for_bot_messages(chat)
        assert "€" in (telegram_answer.text or "")
        room = await max_.direct_room(bot.user_id)
        [matrix_answer, *_] = await max_.ask(room, "combien pour 2 postes en outre-mer ?")
        assert "€" in matrix_answer.body and matrix_answer.encrypted
        code, log = await stop(process, signal.SIGTERM)
    assert code == 0, log
    assert "Matrix : base de données fermée" in log and "Base de données fermée" in log
    assert bot.access_token not in log


async def test_each_sweep_takes_only_its_own_chats(store: Store) -> None:
    reminders = ReminderStore(store.db)
    now = dt.datetime(2021, 3, 1, 12, 0, tzinfo=dt.UTC)
    telegram_chat, matrix_room = 123456789, MATRIX_BASE + 1
    stamp = ts(now - dt.timedelta(hours=1))
    async with store.db.write() as db:
        for chat_id in (telegram_chat, matrix_room, -(MATRIX_BASE + 2)):
            milestone = await db.insert(
                "INSERT INTO milestones (chat_id, user_id, kind, date, territory, timezone, "
                "created_at) VALUES (?, 1, 'selection', '2021-03-01', 'metropole', "
                "'Europe/Paris', ?)", (chat_id, stamp))
            await db.execute(
                "INSERT INTO reminders (chat_id, milestone_id, deadline_kind, deadline_date, "
                "days_before, due_at, timezone, sentence, explanation, citation, text, "
                "created_at, updated_at) VALUES (?, ?, 'signature', "
                "'2021-03-16', 0, ?, 'Europe/Paris', '', '', '', 'Rappel', ?, ?)",
                (chat_id, milestone, stamp, stamp, stamp))
    assert {r.chat_id for r in await reminders.due(now)} == {
        telegram_chat, matrix_room, -(MATRIX_BASE + 2)}
    assert [r.chat_id for r in await Scoped(reminders, is_telegram).due(now)] == [telegram_chat]
    assert {r.chat_id for r in await Scoped(reminders, is_matrix).due(now)} == {
        matrix_room, -(MATRIX_BASE + 2)}
