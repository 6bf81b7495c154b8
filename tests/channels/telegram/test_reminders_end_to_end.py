"""End to end through the local Bot API: a milestone entered in Telegram, its reminders sent
when the (injected) clock reaches them, a restart, nothing sent twice, the .ics document."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.content.loader import Content
from tests.support.botapi import BotApiEmulator, Chat, User
from tests.support.botapi.emulator import ViewMessage
from tests.support.database import rows
from tests.support.reminders import FakeClock, parse, prop
from tests.support.reminders_telegram import SweepSleep, running_bot

UTC = dt.UTC


def flat(text: str | None) -> str:
    return (text or "").replace("\u00a0", " ")


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
def alice(emu: BotApiEmulator) -> User:
    return emu.user(11, "Alice", "alice")


@pytest.fixture
def chat(emu: BotApiEmulator, alice: User) -> Chat:
    return emu.private_chat(alice)


@pytest.fixture
def sleep(clock: FakeClock) -> SweepSleep:
    """The sweep's sleep on the fake clock (Monday 1 March 2021, 12:00 UTC)."""
    return SweepSleep(clock)


def reminders_seen(emu: BotApiEmulator, chat) -> list[str]:
    return [flat(m.text) for m in emu.bot_messages(chat) if flat(m.text).startswith("Rappel :")]


async def statuses(database: str | Path) -> list[str]:
    return [row[0] for row in rows(database, "SELECT status FROM reminders ORDER BY due_at")]


async def press(emu: BotApiEmulator, chat, user, message: ViewMessage,
                label: str) -> list[ViewMessage]:
    last = emu.bot_messages(chat)[-1].message_id
    await emu.press(chat, user, message.message_id, label)
    return await emu.wait_for_bot_messages(chat, after=last)


async def enter_selection(emu: BotApiEmulator, chat, alice) -> ViewMessage:
    """Alice enters "candidate selected on 1 March" with /rappels and confirms."""
    await emu.send_text(chat, alice, "/rappels")
    [question] = await emu.wait_for_bot_messages(chat)
    assert "Où en est votre recrutement ?" in flat(question.text)
    [ask_date] = await press(emu, chat, alice, question, "J'ai sélectionné un candidat")
    assert "sélectionné le candidat" in flat(ask_date.text)
    await emu.send_text(chat, alice, "1er mars")
    [where] = await emu.wait_for_bot_messages(chat)
    [recap] = await press(emu, chat, alice, where, "Métropole (Hexagone et Corse)")
    assert ("La signature du contrat de travail doit intervenir au plus tard le mardi "
            "16 mars 2021.") in flat(recap.text)
    assert "• vendredi 12 mars 2021 à 9 h 00" in flat(recap.text)
    [done] = await press(emu, chat, alice, recap, "Programmer ces rappels")
    return done


async def test_reminders_entered_in_telegram_are_sent_once_across_a_restart(
        content: Content, emu: BotApiEmulator, alice: User, chat: Chat, clock: FakeClock,
        sleep: SweepSleep, database_target: str | Path) -> None:
    async with running_bot(emu, content, database_target, clock, sleep) as bot:
        done = await enter_selection(emu, chat, alice)
        assert "C'est programmé : 3 rappels" in flat(done.text)
        assert await statuses(database_target) == ["pending"] * 3

        [document] = await press(emu, chat, alice, done, "Exporter (.ics)")
        assert document.document is not None
        assert document.document.file_name == "echeances-conseiller-numerique.ics"
        calendar = parse(document.document.data)
        [event] = calendar["components"]
        assert prop(event, "DTSTART") == "20210316"
        assert "Signature du contrat de travail" in prop(event, "SUMMARY")
        assert len(event["components"]) == 3                     # one alarm per reminder

        await sleep.sweep()                                       # nothing due yet
        assert reminders_seen(emu, chat) == []
        clock.set(dt.datetime(2021, 3, 9, 8, 0, tzinfo=UTC))    # 9:00 in Paris, J-7
        await sleep.sweep()
        [first] = reminders_seen(emu, chat)
        assert "au plus tard le mardi 16 mars 2021 (dans 7 jours)." in first
        assert bot.service.task.done() is False

    # The bot restarts on the same database, at the same instant, then time goes on.
    async with running_bot(emu, content, database_target, clock, sleep):
        await sleep.sweep()
        assert len(reminders_seen(emu, chat)) == 1                # not sent again
        clock.set(dt.datetime(2021, 3, 12, 8, 0, tzinfo=UTC))
        await sleep.sweep()
        await sleep.sweep()
        clock.set(dt.datetime(2021, 3, 16, 8, 0, tzinfo=UTC))
        await sleep.sweep()
        clock.set(dt.datetime(2021, 3, 20, 8, 0, tzinfo=UTC))
        await sleep.sweep()
    seen = reminders_seen(emu, chat)
    assert len(seen) == 3 and len(set(seen)) == 3
    assert "(dans 4 jours)" in seen[1] and "(aujourd'hui)" in seen[2]
    assert not any("en retard" in text for text in seen)
    assert await statuses(database_target) == ["sent"] * 3
    assert len(emu.calls_to("sendMessage")) == len(
        [m for m in emu.bot_messages(chat) if m.document is None])


async def test_a_blocked_chat_is_suspended_then_resumed_when_the_user_writes(
        content: Content, emu: BotApiEmulator, alice: User, chat: Chat, clock: FakeClock,
        sleep: SweepSleep, database_target: str | Path) -> None:
    async with running_bot(emu, content, database_target, clock, sleep) as bot:
        await emu.send_text(chat, alice, "/rappels")
        [question] = await emu.wait_for_bot_messages(chat)
        await press(emu, chat, alice, question, "Le contrat est signé")
        await emu.send_text(chat, alice, "aujourd'hui")
        [where] = await emu.wait_for_bot_messages(chat)
        [recap] = await press(emu, chat, alice, where, "Métropole (Hexagone et Corse)")
        await press(emu, chat, alice, recap, "Programmer ces rappels")
        emu.block_chat(chat)
        clock.set(dt.datetime(2021, 3, 9, 8, 0, tzinfo=UTC))
        await sleep.sweep()
        assert await bot.service.reminders.is_blocked(chat.id)
        assert await statuses(database_target) == ["blocked"] * 3
        clock.set(dt.datetime(2021, 3, 10, 8, 0, tzinfo=UTC))
        emu.unblock_chat(chat)
        await emu.send_text(chat, alice, "bonjour")
        await emu.wait_for_bot_messages(chat)
        assert not await bot.service.reminders.is_blocked(chat.id)
        assert await statuses(database_target) == ["blocked", "pending", "pending"]
        clock.set(dt.datetime(2021, 3, 12, 8, 0, tzinfo=UTC))
        await sleep.sweep()
        [reminder] = reminders_seen(emu, chat)
        assert "(dans 4 jours)" in reminder
