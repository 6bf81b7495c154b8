"""Through the local Bot API: administrators' commands refused to others and kept out of
their command menu, an announcement confirmed then delivered once to each subscribed chat,
/recharger refusing invalid content, /oubli in Telegram."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from bot.content.loader import Content
from bot.storage.store import Store
from tests.support.admin import ADMIN_ID, admin_bot
from tests.support.botapi import BotApiEmulator
from tests.support.chat import FIXED_NOW
from tests.support.database import rows, write_many
from tests.support.telegram import Handled, Person


def sent(database: str | Path) -> int:
    [(count,)] = rows(database,
                      "SELECT count(*) FROM broadcast_deliveries WHERE status = 'sent'")
    return count


ADMIN_COMMANDS = ("/stats", "/diffuser", "/diffuser Réunion jeudi", "/recharger")


async def test_administrators_commands_are_refused_to_others_and_hidden(
        emu: BotApiEmulator, content: Content, database: str | Path, handled: Handled,
        person: Callable[..., Person]) -> None:
    admin = person(ADMIN_ID, "Admin")
    alice = person(11, "Alice")
    group = emu.group_chat(-100, "Mairie", [alice.user])
    in_group = person(11, "Alice", chat=group)
    async with admin_bot(emu, content, database, handled):
        everyone = [c["command"] for c in emu.commands()]
        assert {"oubli", "abonner", "desabonner"} <= set(everyone)
        assert not {"stats", "diffuser", "recharger"} & set(everyone)
        admins = [c["command"] for c in emu.commands({"type": "chat", "chat_id": ADMIN_ID})]
        assert {"stats", "diffuser", "recharger"} <= set(admins)

        await alice.say("/inconnue")
        unknown = alice.text
        for command in ADMIN_COMMANDS:
            await alice.say(command)
            name = command.split()[0]
            assert alice.text == unknown.replace("/inconnue", name), command
            await in_group.say(command)
            assert in_group.text == unknown.replace("/inconnue", name), command
        await admin.say("/stats")
        assert admin.text.startswith("Usage des 7 derniers jours")
    assert rows(database, "SELECT count(*) FROM broadcasts") == [(0,)]


async def test_an_announcement_reaches_each_subscribed_chat_once(
        emu: BotApiEmulator, content: Content, database: str | Path, handled: Handled,
        person: Callable[..., Person]) -> None:
    admin = person(ADMIN_ID, "Admin")
    people = [person(100 + i, f"Mairie{i}") for i in range(3)]
    quiet = person(200, "Silence")
    async with admin_bot(emu, content, database, handled):
        for someone in people:
            await someone.say("/abonner")
        await quiet.say("/start")
        await admin.say("/diffuser Le webinaire a lieu jeudi à 14 h.")
        assert "partira vers 3 conversations abonnées" in admin.text
        await admin.press("Envoyer à 3 conversations")
        assert "file d'attente pour 3 conversations" in admin.text
        for someone in people:
            await emu.wait_until(
                lambda s=someone: any("Le webinaire a lieu" in (m.text or "")
                                      for m in emu.bot_messages(s.chat)),
                10.0, "the announcement")
        await emu.wait_until(lambda: sent(database) == 3, 5.0, "three deliveries marked sent")
        await admin.say("/diffuser")
        assert "3 envoyées, 0 en échec, 0 en attente sur 3" in admin.text
    for someone in people:
        got = [m for m in emu.bot_messages(someone.chat) if "webinaire" in (m.text or "")]
        assert len(got) == 1 and got[0].text.startswith("📢 Annonce")
    assert not any("webinaire" in (m.text or "") for m in emu.bot_messages(quiet.chat))


async def test_recharger_refuses_invalid_content_with_file_and_line(
        emu: BotApiEmulator, content: Content, database: str | Path, handled: Handled,
        person: Callable[..., Person], content_dirs: tuple[Path, Path]) -> None:
    admin = person(ADMIN_ID, "Admin")
    knowledge, _ = content_dirs
    faq = knowledge / "faq" / "conseiller.yaml"
    faq.write_text(faq.read_text().replace("  reponse: |", "  reponse_: |", 1))
    async with admin_bot(emu, content, database, handled, dirs=content_dirs) as app:
        await admin.say("/recharger")
        assert admin.text.startswith("Contenu refusé : je garde le contenu actuel.")
        assert "conseiller.yaml:2:" in admin.text
        assert app.bot_data["channel"].assistant.content is content
        await admin.say("Où le conseiller exerce-t-il ses missions ?")
        assert "Au plus près du public" in admin.text


async def test_oubli_in_telegram(emu: BotApiEmulator, content: Content, database: str | Path,
                                 handled: Handled, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    async with admin_bot(emu, content, database, handled):
        await alice.say("/abonner")
        await alice.say("quelle est la couleur du ciel sur mars")
        await alice.say("/oubli")
        await alice.press("Oui, tout effacer")
        assert alice.text.startswith("C'est effacé : 1 question notée")
        assert alice.labels == []
    for table in ("unanswered", "subscriptions", "events", "conversations"):
        assert rows(database, f"SELECT count(*) FROM {table} WHERE chat_id = 11") == [(0,)], \
            table


async def test_data_past_the_retention_is_purged_when_the_bot_starts(
        emu: BotApiEmulator, content: Content, database: str | Path, handled: Handled) -> None:
    old = (FIXED_NOW - dt.timedelta(days=400)).isoformat()
    recent = (FIXED_NOW - dt.timedelta(days=10)).isoformat()
    await (await Store.open(database)).close()
    write_many(database,
               "INSERT INTO unanswered (asked_at, chat_id, user_id, question, normalized, band,"
               " candidates) VALUES (?, 1, 1, ?, ?, 'fallback', '[]')",
               [(old, "ancienne", "ancienne"), (recent, "récente", "recente")])

    def questions() -> list[str]:
        return [row[0] for row in rows(database, "SELECT question FROM unanswered")]

    async with admin_bot(emu, content, database, handled):
        await emu.wait_until(lambda: questions() == ["récente"], 5.0, "the old row purged")
