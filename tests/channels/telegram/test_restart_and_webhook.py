"""The bot process restarted mid-flow resumes in Telegram; the webhook mode, secret included."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bot.content.loader import Content
from tests.support.botapi import BotApiEmulator
from tests.support.telegram import (
    SIMULATION_UNTIL_DURATION,
    WEBHOOK_SECRET,
    Handled,
    Person,
    running_bot,
    stored_state,
)


async def test_a_restart_in_the_middle_of_a_flow_resumes_where_the_user_was(
        emu: BotApiEmulator, content: Content, database: str | Path, handled: Handled,
        person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    async with running_bot(emu, content, database, handled):
        await alice.say("/simulation")
        [question] = await alice.say("2")
        assert "Où se trouve votre structure ?" in (question.text or "")

    # While the bot is down, Alice presses a button of the last screen: it waits in Telegram.
    pressed = asyncio.create_task(alice.press("Guyane", question))
    await emu.wait_until(lambda: emu.pending_updates, what="the press queued")
    async with running_bot(emu, content, database, handled):
        await pressed
        assert "publique ou privée" in alice.text
        await alice.press("Publique (collectivité, établissement public…)")
        await alice.press("Convention initiale (AMI 2020)")
        assert "À quelle date le contrat de travail commence-t-il" in alice.text

    async with running_bot(emu, content, database, handled):
        await alice.say("12 mars 2021")  # a typed answer after another restart
        assert "Quelle est la durée du contrat, en mois ?" in alice.text

    row = await stored_state(database, alice)
    assert row is not None and row.step == "duree"
    assert row.answers == SIMULATION_UNTIL_DURATION
    if isinstance(database, Path):   # a SQLite file: closed cleanly, its WAL checkpointed
        assert not (database.parent / (database.name + "-wal")).exists()


async def test_webhook_with_its_secret_and_requests_without_it_refused(
        emu: BotApiEmulator, content: Content, database: str | Path, handled: Handled,
        person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    async with running_bot(emu, content, database, handled, webhook=True):
        hook = emu.state.webhook
        assert hook is not None and hook.secret_token == WEBHOOK_SECRET
        assert hook.url.endswith("/telegram")
        assert emu.webhook_info()["allowed_updates"] == ["callback_query", "message",
                                                         "my_chat_member"]

        await alice.say("/eligibilite")
        await alice.press("Commune")
        assert "Engagement 1 sur 5" in alice.text
        await alice.say("combien de temps dure la formation ?")
        assert "Pour reprendre « Vérifier l'éligibilité »" in alice.text
        assert "last_error_message" not in emu.webhook_info()

        forged = {"update_id": 999_999, "message": {
            "message_id": 999, "date": 0, "chat": {"id": alice.chat.id, "type": "private"},
            "from": {"id": alice.user.id, "is_bot": False, "first_name": "Mallory"},
            "text": "/start"}}
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "pas-le-bon"}):
                async with session.post(hook.url, json=forged, headers=headers) as response:
                    assert response.status == 403
        assert 999_999 not in handled.ids
        sent = len(emu.calls_to("sendMessage"))
        await alice.press("Oui")  # the real Telegram still gets through
        assert "Engagement 2 sur 5" in alice.text
        assert len(emu.calls_to("sendMessage")) == sent + 1
