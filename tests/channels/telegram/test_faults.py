"""Telegram and the database misbehave: 429, 5xx, lost connections, 403, failed edits, an
engine error. The user always gets an answer, and never loses the answers already given."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.channels.telegram.channel import APOLOGY
from bot.core import messages
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator
from tests.support.botapi.errors import NOT_MODIFIED
from tests.support.telegram import App, Person


def statuses(emu: BotApiEmulator, method: str) -> list[int | None]:
    return [c.status for c in emu.calls_to(method)]


async def test_429_and_500_are_survived_without_losing_answers(
        app: App, emu: BotApiEmulator, store: Store, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    await alice.say("/simulation")
    await alice.press("2 postes")

    emu.fail_next("sendMessage", kind="429", retry_after=1)
    await alice.press("Guyane")
    assert "publique ou privée" in alice.text
    assert statuses(emu, "sendMessage")[-2:] == [429, 200]

    emu.fail_next("sendMessage", kind="500", times=2)
    await alice.press("Publique (collectivité, établissement public…)")
    assert "Quelle convention" in alice.text
    assert statuses(emu, "sendMessage")[-3:] == [500, 500, 200]

    emu.fail_next("answerCallbackQuery", kind="disconnect")
    emu.fail_next("editMessageText", kind="502")
    pressed = alice.message_with(messages.BACK)
    await alice.press(messages.BACK, pressed)
    assert "Votre réponse précédente : Publique" in alice.text
    assert statuses(emu, "answerCallbackQuery")[-2:] == [0, 200]
    assert statuses(emu, "editMessageText")[-2:] == [502, 200]

    row = await store.conversation(alice.chat.id, alice.user.id)
    assert row is not None and row.answers == {"postes": 2, "territoire": "guyane",
                                               "structure": "public"}
    assert APOLOGY not in [m.text for m in emu.bot_messages(alice.chat)]


async def test_a_lasting_failure_gets_an_apology_and_the_answers_stay(
        app: App, emu: BotApiEmulator, store: Store, person: Callable[..., Person],
        caplog: pytest.LogCaptureFixture) -> None:
    alice = person(11, "Alice")
    await alice.say("/simulation")
    emu.fail_next("sendMessage", kind="500", times=4)  # the first try and 3 retries
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram.channel"):
        await alice.press("2 postes")
    assert alice.text == APOLOGY
    [record] = [r for r in caplog.records if r.name == "bot.channels.telegram.channel"]
    assert f"chat {alice.chat.id}, utilisateur {alice.user.id}" in record.getMessage()
    assert record.exc_info is not None

    row = await store.conversation(alice.chat.id, alice.user.id)
    assert row is not None and row.step == "territoire" and row.answers == {"postes": 2}
    await alice.say("/reprendre")
    assert "Où se trouve votre structure ?" in alice.text


@pytest.mark.parametrize("database_target", ["sqlite"], indirect=True)  # PRAGMA query_only
async def test_an_engine_failure_gets_an_apology_and_the_flow_goes_on(
        app: App, emu: BotApiEmulator, person: Callable[..., Person],
        caplog: pytest.LogCaptureFixture) -> None:
    alice = person(11, "Alice")
    [question] = await alice.say("/simulation")
    secret = "mon adresse est 1 rue des Lilas " * 10
    database = app.bot_data["channel"].store.db.connection
    await database.execute("PRAGMA query_only = 1")  # every write now fails
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram.channel"):
        await alice.say(secret)  # not a number: the engine rewrites the step, and fails
        await alice.press("2 postes", question)
    await database.execute("PRAGMA query_only = 0")
    assert [m.text for m in alice.last] == [APOLOGY]
    assert emu.answer_to(alice.last_query or "") is not None
    records = [r.getMessage() for r in caplog.records if r.name == "bot.channels.telegram.channel"]
    assert len(records) == 2
    assert secret[:100] in records[0] and secret[:101] not in records[0]
    assert "[bouton w:" in records[1]

    await alice.press("2 postes", question)  # nothing was saved: the button still works
    assert "Où se trouve votre structure ?" in alice.text


async def test_a_chat_that_blocked_the_bot_is_inactive_until_it_writes_again(
        app: App, emu: BotApiEmulator, store: Store, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    await alice.say("/start")
    emu.block_chat(alice.chat)
    assert await alice.say("/aide") == []
    assert statuses(emu, "sendMessage")[-1] == 403
    assert await store.inactive_chats() == {alice.chat.id}
    sends = len(emu.calls_to("sendMessage"))
    assert app.bot_data["channel"].chats.active(alice.chat.id) is False

    emu.unblock_chat(alice.chat)
    await alice.say("/aide")
    assert "Comment m'utiliser" in alice.text
    assert len(emu.calls_to("sendMessage")) == sends + 1
    assert await store.inactive_chats() == set()


async def test_failed_edits_are_harmless_or_become_new_messages(
        app: App, emu: BotApiEmulator, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    await alice.say("/eligibilite")
    await alice.press("Commune")
    screen = alice.message_with(messages.BACK)

    # "message is not modified" (a double press): nothing to do, nothing to say.
    emu.fail_next("editMessageText", kind="400", description=NOT_MODIFIED)
    sends = len(emu.calls_to("sendMessage"))
    assert await alice.press(messages.BACK, screen) == []
    assert emu.answer_to(alice.last_query or "") is not None
    assert len(emu.calls_to("sendMessage")) == sends

    # A message that can no longer be edited: the screen comes as a new message.
    await alice.say("/eligibilite")
    await alice.press("Commune")
    screen = alice.message_with(messages.BACK)
    emu.fail_next("editMessageText", kind="400",
                  description="Bad Request: message to edit not found")
    [fresh] = await alice.press(messages.BACK, screen)
    assert fresh.message_id > screen.message_id and not fresh.edited
    assert "Votre réponse précédente : Commune" in (fresh.text or "")
