"""A private chat with the real Application over the local Bot API: commands, questions,
suggestions, the menu, stale and forged buttons, HTML safety."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.app import build_assistant
from bot.channels.console import plain
from bot.channels.telegram.channel import command_list
from bot.content.loader import Content
from bot.core import messages
from bot.faq.feature import FaqFeature
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator
from tests.support.chat import spaced
from tests.support.telegram import App, Person

SUGGEST_CANDIDATES = ("formation", "subvention", "conseiller", "quand", "aide")


def answer_of(content: Content, entry_id: str) -> str:
    """What people read for an FAQ entry (the HTML answer, as Telegram shows it)."""
    return spaced(plain(content.faq[entry_id].answer))


async def test_start_shows_the_menu_and_commands_are_registered_in_french(
        app: App, emu: BotApiEmulator, content: Content,
        person: Callable[..., Person]) -> None:
    registered = [(c["command"], c["description"]) for c in emu.commands()]
    engine = app.bot_data["channel"].assistant
    assert registered == command_list(engine)
    names = [name for name, _ in registered]
    assert {"start", "aide", "menu", "simulation", "eligibilite", "annuler"} <= set(names)
    documented = re.findall(r"^/(\w+) : ", engine.help_text(admin=False), re.MULTILINE)
    assert names == documented
    descriptions = dict(registered)
    assert descriptions["simulation"].startswith("Simuler le financement")
    assert descriptions["annuler"] == "Abandonner le questionnaire en cours"

    alice = person(11, "Alice")
    [menu] = await alice.say("/start")
    assert menu.text is not None and menu.text.startswith("Bonjour ! Je réponds")
    assert ("bold", "Conseiller numérique France Services") in [
        (e["type"], menu.text[e["offset"]:e["offset"] + e["length"]]) for e in menu.entities]
    assert alice.labels == [item.label for item in content.menu]

    await alice.press("Le programme en bref")
    assert answer_of(content, "programme-presentation") in alice.text
    assert emu.answer_to(alice.last_query or "") is not None

    await alice.say("/aide")
    assert "Comment m'utiliser" in alice.text and "/simulation" in alice.text
    await alice.say("/menu")
    assert alice.labels == [item.label for item in content.menu]


async def test_free_question_suggestion_and_none_of_these(
        app: App, emu: BotApiEmulator, content: Content, store: Store,
        person: Callable[..., Person]) -> None:
    engine = build_assistant(content, store).feature(FaqFeature)
    alice = person(11, "Alice")

    question = content.faq["formation-duree"].question
    assert engine.answer(question).entry_id == "formation-duree"
    [reply] = await alice.say(question)
    assert answer_of(content, "formation-duree") in spaced(reply.text or "")

    vague = next(q for q in SUGGEST_CANDIDATES if engine.answer(q).kind == "suggest")
    suggested = engine.answer(vague).suggestions
    await alice.say(vague)
    assert alice.text == messages.SUGGEST
    assert alice.labels == [q for _, q in suggested] + [messages.NONE_OF_THESE]
    first_id, first_question = suggested[0]
    await alice.press(first_question)
    assert answer_of(content, first_id) in alice.text
    assert [a.show_alert for a in emu.callback_answers][-1] is False

    await alice.say(vague)
    await alice.press(messages.NONE_OF_THESE)
    assert alice.text == spaced(plain(messages.NONE_CHOSEN))
    records = await store.unanswered_to_review()
    assert any(r.question == vague and r.outcome == "none" for r in records)


async def test_stale_and_forged_buttons_get_the_current_step_again(
        app: App, emu: BotApiEmulator, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    [first] = await alice.say("/eligibilite")
    await alice.press("Commune", first)
    assert "Engagement 1 sur 5" in alice.text

    # The first screen's buttons are a turn old: pressing one is refused, the step is shown.
    [again] = await alice.press("Département", first)
    assert emu.answer_to(alice.last_query or "") is not None
    assert (again.text or "").startswith(messages.STALE_FLOW_BUTTON)
    assert "Engagement 1 sur 5" in (again.text or "")
    assert "Oui" in alice.labels

    # Forged payloads: a flow button of another turn, garbage, an unknown FAQ id.
    for forged in ("w:zz:a", "rien du tout", "f:../../etc/passwd", "s:999999:inconnue"):
        [reply] = await alice.press_data(again.message_id, forged)
        assert (reply.text or "").startswith(messages.STALE_BUTTON), forged
    await alice.press("Oui")  # the latest screen's button works
    assert "Engagement 2 sur 5" in alice.text
    refused = [c for c in emu.calls if c.status not in (200, None)]
    assert refused == []


async def test_user_text_is_escaped_in_html_replies(
        app: App, emu: BotApiEmulator, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    await alice.say("/<b>gras</b>")
    assert "/<b>gras" in alice.text  # shown as typed, not interpreted
    await alice.say("a < b & c > d ? <script>alert(1)</script>")
    assert alice.last, "no answer"
    await alice.say("/simulation")
    await alice.say("<i>deux</i> & <b>")
    assert alice.last and "Combien de postes" in alice.text
    await alice.say("2")
    await alice.say("<b>Guyane</b>")
    assert "Où se trouve votre structure ?" in alice.text
    failed = [(c.method, c.description) for c in emu.calls if c.status not in (200, None)]
    assert failed == []


async def test_a_file_or_sticker_gets_the_no_text_answer(
        app: App, emu: BotApiEmulator, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    await alice._act(lambda: emu.send_document(alice.chat, alice.user, b"%PDF-1.4", "a.pdf"))
    assert alice.text == messages.EMPTY
