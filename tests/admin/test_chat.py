"""Administrators' commands in the engine: refused to anyone else exactly like an unknown
command, /stats on a prepared database, /diffuser (confirmation, queue, progress),
/recharger (invalid content refused with file:line, the running content kept)."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest

from bot import app
from bot.app import build_assistant
from bot.assistant import Assistant
from bot.broadcast.store import BroadcastStore
from bot.content.loader import Content
from bot.core.config import Settings
from bot.core.replies import Conversation, Incoming
from bot.reminders.store import ReminderStore
from bot.storage.store import Store
from tests.support.chat import FIXED_NOW, Chat
from tests.support.records import milestone_for, subscribe

ADMIN = 7
ADMIN_COMMANDS = ("/stats", "/diffuser", "/diffuser Bonjour à tous", "/recharger")


@pytest.fixture
def admin_assistant(content: Content, store: Store) -> Assistant:
    return build_assistant(content, store, clock=lambda: FIXED_NOW, admins=frozenset({ADMIN}))


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_anyone_else_is_answered_as_for_an_unknown_command(
        admin_assistant: Assistant, command: str) -> None:
    intruder = Chat(admin_assistant, 11, 11)
    await subscribe(admin_assistant, 11, FIXED_NOW)
    name = command.split(maxsplit=1)[0]
    unknown = await intruder.say(name.replace("/", "/zz"))
    replies = await intruder.say(command)
    expected = unknown[0].text.replace(name.replace("/", "/zz"), name)
    assert [r.text for r in replies] == [expected]
    assert "Je ne connais pas la commande" in expected
    await intruder.say("/aide")
    assert "/stats" not in intruder.text and "Administration" not in intruder.text
    assert await admin_assistant.store.db.scalar("SELECT count(*) FROM broadcasts") == 0


async def test_a_forged_broadcast_button_is_refused_to_anyone_else(
        admin_assistant: Assistant) -> None:
    await subscribe(admin_assistant, 11, FIXED_NOW)
    admin = Chat(admin_assistant, ADMIN, ADMIN)
    await admin.say("/diffuser Bonjour")
    [payload] = [b.payload for r in admin.last for row in r.buttons for b in row
                 if b.label.startswith("Envoyer")]
    # another user, even in the administrator's chat, presses the same payload
    replies = await admin_assistant.handle(Conversation(ADMIN, 11), Incoming.button(payload))
    assert "Ce bouton n'est plus actif" in replies[0].text
    assert (await BroadcastStore(admin_assistant.store.db).progress()) is None


async def test_admins_see_their_commands_in_help(admin_assistant: Assistant) -> None:
    admin = Chat(admin_assistant, ADMIN, ADMIN)
    await admin.say("/aide")
    assert "/stats" in admin.text and "/diffuser" in admin.text and "/recharger" in admin.text
    admin_only = {n for n, c in admin_assistant.registry.commands.items() if c.admin}
    assert admin_only == {"stats", "diffuser", "recharger"}


def test_admin_ids_setting() -> None:
    assert Settings.from_env({}).admin_ids == frozenset()
    assert Settings.from_env({"BOT_ADMIN_IDS": "12, 34,0"}).admin_ids == {0, 12, 34}
    with pytest.raises(ValueError, match="BOT_ADMIN_IDS"):
        Settings.from_env({"BOT_ADMIN_IDS": "12,alice"})


# --- /stats -------------------------------------------------------------------------------

async def prepare(assistant: Assistant) -> None:
    """Two weeks of events in 4 chats, reminders in every state."""
    day = dt.timedelta(days=1)
    rows = [
        # outside the window (8 days ago): not counted
        (FIXED_NOW - 8 * day, 9, "question_answered"),
        # 10 March (6 days ago, the window's first day)
        (FIXED_NOW - 6 * day, 1, "question_answered"),
        (FIXED_NOW - 6 * day, 1, "question_fallback"),
        # 15 March
        (FIXED_NOW - day, 2, "question_answered"),
        (FIXED_NOW - day, 2, "question_suggested"),
        (FIXED_NOW - day, 2, "flow_started"),
        (FIXED_NOW - day, 2, "flow_completed"),
        # 16 March, today
        (FIXED_NOW, 3, "question_answered"),
        (FIXED_NOW, 3, "flow_started"),
        (FIXED_NOW, -100, "flow_started"),
    ]
    store = assistant.store
    for at, chat_id, kind in rows:
        store.events.add(chat_id, kind, at)
    await milestone_for(assistant, Conversation(1, 1), FIXED_NOW - 2 * day, count=4)
    reminders = ReminderStore(store.db)
    first, second, third, _ = await reminders.pending(1)
    await reminders.claim(first.id, FIXED_NOW - day)
    await reminders.mark_sent(first.id, FIXED_NOW - day)
    await reminders.claim(second.id, FIXED_NOW - day)
    await reminders.mark_failed(second.id, error="refusé", now=FIXED_NOW - day)
    await reminders.cancel(1, third.id, FIXED_NOW)
    await subscribe(assistant, 1, FIXED_NOW)
    await subscribe(assistant, 2, FIXED_NOW)


async def test_stats_on_a_prepared_database(admin_assistant: Assistant) -> None:
    await prepare(admin_assistant)
    admin = Chat(admin_assistant, ADMIN, ADMIN)
    [reply] = await admin.say("/stats")
    lines = reply.text.replace("\u00a0", " ").splitlines()
    assert lines[:3] == ["<b>Usage des 7 derniers jours</b>", "Conversations actives : 4",
                         "Conversations abonnées aux annonces : 2"]
    assert "<b>Questions par jour</b> (5 au total)" in lines
    days = [line for line in lines if line.startswith("• ")]
    assert days == ["• mardi 10 mars 2026 : 2", "• mercredi 11 mars 2026 : 0",
                    "• jeudi 12 mars 2026 : 0", "• vendredi 13 mars 2026 : 0",
                    "• samedi 14 mars 2026 : 0", "• dimanche 15 mars 2026 : 2",
                    "• lundi 16 mars 2026 : 1"]
    assert "Répondues : 60 % (3)" in lines
    assert "Suggestions proposées : 20 % (1)" in lines
    assert "Sans réponse : 20 % (1)" in lines
    assert "Commencés : 3 · terminés : 1 (33 %)" in lines
    assert "Envoyés : 1 · en échec : 1 · en attente (à ce jour) : 1" in lines


async def test_questions_and_flows_are_counted_as_they_happen(
        admin_assistant: Assistant) -> None:
    alice = Chat(admin_assistant, 11, 11)
    await alice.say("combien de temps dure la formation du conseiller ?")
    await alice.say("quelle est la couleur du ciel sur mars")
    await alice.say("/eligibilite")
    found = [e.kind for e in await admin_assistant.store.events.since(
        FIXED_NOW - dt.timedelta(days=1))]
    assert found == ["question_answered", "question_fallback", "flow_started"]


# --- /diffuser ----------------------------------------------------------------------------

async def test_broadcast_is_confirmed_with_its_recipients_then_queued(
        admin_assistant: Assistant) -> None:
    for chat_id in (11, 22, -100):
        await subscribe(admin_assistant, chat_id, FIXED_NOW)
    await ReminderStore(admin_assistant.store.db).block_chat(22, now=FIXED_NOW, reason="403")
    admin = Chat(admin_assistant, ADMIN, ADMIN)
    await admin.say("/diffuser")
    assert admin.text.startswith("Aucune annonce n'a encore été envoyée.")

    await admin.say("/diffuser Webinaire jeudi <14 h> & questions")
    assert "partira vers <b>2</b> conversations abonnées" in admin.text
    assert "Webinaire jeudi &lt;14 h&gt; &amp; questions" in admin.text
    assert admin.labels == ["Envoyer à 2 conversations", "Annuler"]
    store = BroadcastStore(admin_assistant.store.db)
    assert await store.progress() is None                  # nothing queued before "yes"

    confirmation = admin.last
    [done] = await admin.press("Envoyer à 2 conversations")
    assert done.replace and "file d'attente pour 2 conversations" in done.text
    due = await store.due(FIXED_NOW)
    assert sorted(d.chat_id for d in due) == [-100, 11]
    assert "📢 <b>Annonce</b>" in due[0].text and "/desabonner" in due[0].text

    admin.last = confirmation                              # pressed twice: queued once
    await admin.press("Envoyer à 2 conversations")
    assert admin.text == "Cette annonce a déjà été envoyée ou annulée."
    assert len(await store.due(FIXED_NOW)) == 2

    first = await store.claim(due[0].id, FIXED_NOW)
    assert first is not None
    await store.mark_sent(first.id, FIXED_NOW)
    await admin.say("/diffuser")
    assert "1 envoyée, 0 en échec, 1 en attente sur 2" in admin.text


async def test_broadcast_cancelled_or_without_recipients(admin_assistant: Assistant) -> None:
    admin = Chat(admin_assistant, ADMIN, ADMIN)
    await admin.say("/diffuser Bonjour")
    assert admin.text.startswith("Aucune conversation n'est abonnée")
    await subscribe(admin_assistant, 11, FIXED_NOW)
    await admin.say("/diffuser Bonjour")
    await admin.press("Annuler")
    assert admin.text == "Annonce annulée : rien n'a été envoyé."
    assert await admin_assistant.store.db.scalar(
        "SELECT count(*) FROM broadcasts") == 0            # the draft's text is deleted
    await admin.say("/diffuser " + "x" * 3600)
    assert "trop longue" in admin.text


# --- /recharger ---------------------------------------------------------------------------

async def test_reload_refuses_invalid_content_and_keeps_the_running_one(
        content: Content, store: Store, content_dirs: tuple[Path, Path]) -> None:
    knowledge, flows = content_dirs
    faq = knowledge / "faq" / "conseiller.yaml"
    faq.write_text(faq.read_text().replace("  reponse: |", "  reponse_: |", 1))
    assistant = build_assistant(content, store, clock=lambda: FIXED_NOW, admins=frozenset({ADMIN}),
                          loader=functools.partial(app.load, knowledge, flows))
    admin = Chat(assistant, ADMIN, ADMIN)
    await admin.say("/recharger")
    assert admin.text.startswith("Contenu refusé : je garde le contenu actuel.")
    assert "conseiller.yaml:2:" in admin.text
    assert assistant.content is content
    await admin.say("Où le conseiller exerce-t-il ses missions ?")
    assert "Au plus près du public" in admin.text


async def test_reload_swaps_the_content_and_the_commands(
        content: Content, store: Store, content_dirs: tuple[Path, Path]) -> None:
    knowledge, flows = content_dirs
    faq = knowledge / "faq" / "conseiller.yaml"
    faq.write_text(faq.read_text().replace("Au plus près du public", "Près des habitants"))
    (flows / "eligibilite.yaml").unlink()
    menu = knowledge / "menu.yaml"   # the menu must not start the removed flow any more
    menu.write_text(menu.read_text().replace(
        '- libelle: "Vérifier l\'éligibilité"\n  commande: eligibilite\n', ""))
    assistant = build_assistant(content, store, clock=lambda: FIXED_NOW, admins=frozenset({ADMIN}),
                          loader=functools.partial(app.load, knowledge, flows))
    told: list[Content] = []

    async def listener(new: Content) -> None:
        told.append(new)

    assistant.reload_listeners.append(listener)
    admin = Chat(assistant, ADMIN, ADMIN)
    await admin.say("/recharger")
    assert admin.text.startswith("Contenu rechargé : ")
    assert "2 questionnaires" in admin.text
    assert told == [assistant.content] and assistant.content is not content
    assert "eligibilite" not in assistant.registry.commands
    assert "simulation" in assistant.registry.commands
    await admin.say("Où le conseiller exerce-t-il ses missions ?")
    assert "Près des habitants" in admin.text
    await admin.say("/eligibilite")
    assert "Je ne connais pas la commande /eligibilite" in admin.text


async def test_reload_without_a_loader(admin_assistant: Assistant) -> None:
    admin = Chat(admin_assistant, ADMIN, ADMIN)
    await admin.say("/recharger")
    assert admin.text == "Le rechargement du contenu n'est pas disponible ici."
