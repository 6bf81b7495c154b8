"""Conversations like people have them: small talk, a suggestion picked by typing, two
questions in one message, follow-ups on the last subject, and what is remembered."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from bot.app import build_assistant
from bot.content.loader import Content
from bot.core import messages
from bot.faq.feature import FaqFeature
from bot.privacy import erasure as privacy
from bot.storage.store import Store
from tests.support.chat import FIXED_NOW, Chat, spaced, suggesting_chat


class Clock:
    """A clock the test moves forward."""

    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def later(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)


async def talk_rows(store: Store) -> int:
    return await store.db.scalar("SELECT count(*) FROM talk_context")


def reply_of(content: Content, intent: str) -> str:
    reply = content.talk.intent(intent).reply
    assert reply is not None
    return reply


# --- small talk ---------------------------------------------------------------------------

@pytest.mark.parametrize(("said", "intent"), [
    ("bonjour", "salutation"), ("Bjr", "salutation"), ("slt !", "salutation"),
    ("Bonjour Madame", "salutation"), ("bonjoure", "salutation"),
    ("merci", "merci"), ("mci", "merci"), ("Merci beaucoup pour votre aide !", "merci"),
    ("ok merci bcp", "merci"), ("oki merci", "merci"), ("super merci", "merci"),
    ("ok", "accord"), ("d'accord", "accord"), ("dac", "accord"), ("Très bien.", "accord"),
    ("au revoir", "au_revoir"), ("bne journée", "au_revoir"),
    ("Bonne journée à vous", "au_revoir"),
    ("merci, au revoir", "au_revoir"), ("non merci", "rien"),
    ("vous êtes un robot ?", "robot"), ("c'est un robot ??", "robot"),
    ("je parle a un humain ?", "robot"),
    ("qui êtes-vous", "identite"), ("Qui etes vous ?", "identite"),
    ("hello, ça marche ce truc ?", "identite"), ("y a quelqu'un ?", "identite"),
    ("je comprends pas", "incompris"), ("j'ai pas compris", "incompris"),
])
async def test_small_talk_gets_its_reply_and_is_not_recorded(
        chat: Chat, content: Content, store: Store, said: str, intent: str) -> None:
    await chat.say(said)
    assert reply_of(content, intent) in chat.text
    assert messages.FALLBACK not in chat.text
    assert await store.unanswered_to_review() == []
    await store.events.flush()
    assert await store.events.since(FIXED_NOW - dt.timedelta(days=1)) == []


async def test_greeting_and_a_question_at_once(chat: Chat, content: Content) -> None:
    [reply] = await chat.say("bonjour, vous êtes un robot ?")
    assert reply.text.startswith("Bonjour !")
    assert reply_of(content, "robot") in reply.text


async def test_typed_aide_is_the_help_and_menu_the_menu(chat: Chat, content: Content) -> None:
    await chat.say("aide")
    assert "/menu" in chat.text and "/simulation" in chat.text
    await chat.say("Menu")
    assert chat.labels == [item.label for item in content.menu]
    await chat.say("je ne comprends rien")
    assert reply_of(content, "incompris") in chat.text
    assert chat.labels == [item.label for item in content.menu]


async def test_aide_inside_a_real_question_is_a_question(chat: Chat) -> None:
    for said in ("aide financiere pour un poste", "les aides pour un conseiller"):
        await chat.say(said)
        assert "Comment m'utiliser" not in chat.text, said


@pytest.mark.parametrize("said", [
    "bonjour, combien pour 2 postes ?", "Bjr combien pour 2 postes", "slt cb pr 2 postes",
    "Bonjour ! Combien pour 2 postes ? Merci", "combien pour 2 postes merci d'avance",
])
async def test_small_talk_never_hides_the_question(chat: Chat, store: Store,
                                                   said: str) -> None:
    [reply] = await chat.say(said)
    assert "100 000" in spaced(reply.text), said
    assert await store.unanswered_to_review() == []


async def test_greeting_is_a_short_prefix_of_the_answer(chat: Chat) -> None:
    [reply] = await chat.say("bonjour, combien pour 2 postes ?")
    assert reply.text.startswith("Bonjour !\n\n<b>Subvention")


# --- picking a suggestion by typing -------------------------------------------------------

async def suggested(content: Content, store: Store, clock: Clock | None = None) -> Chat:
    """A chat that was just offered suggestions (thresholds that always hesitate)."""
    chat = await suggesting_chat(content, store)
    if clock is not None:
        chat.assistant.clock = clock
    await chat.say(next(iter(content.faq.values())).question)
    assert messages.SUGGEST in chat.text
    return chat


def offered(chat: Chat) -> list[str]:
    return [label for label in chat.labels if label != messages.NONE_OF_THESE]


@pytest.mark.parametrize(("said", "index"), [
    ("oui", 0), ("la première", 0), ("la 2", 1), ("la deuxième", 1), ("2", 1),
    ("le 2 svp", 1), ("je prends la 2", 1), ("la dernière", -1), ("ouais", 0),
])
async def test_a_typed_pick_answers_that_suggestion_and_is_recorded(
        content: Content, store: Store, said: str, index: int) -> None:
    chat = await suggested(content, store)
    questions = offered(chat)
    entry = next(e for e in content.faq.values() if e.question == questions[index])
    await chat.say(said)
    assert entry.answer in chat.text
    [record] = await store.unanswered_to_review()
    assert record.outcome == f"chosen:{entry.id}"


@pytest.mark.parametrize("said", ["non", "aucune", "Aucune des deux"])
async def test_a_typed_no_is_none_of_these(content: Content, store: Store, said: str) -> None:
    chat = await suggested(content, store)
    await chat.say(said)
    assert messages.NONE_CHOSEN in chat.text
    assert chat.labels
    [record] = await store.unanswered_to_review()
    assert record.outcome == "none"


async def test_a_pick_is_only_read_once_and_not_too_late(content: Content,
                                                         store: Store) -> None:
    clock = Clock()
    chat = await suggested(content, store, clock)
    await chat.say("la 2")
    answered = chat.text
    await chat.say("la 2")                        # the suggestions were used: not a pick
    assert chat.text != answered
    await chat.say(next(iter(content.faq.values())).question)
    clock.later(content.talk.picks.minutes + 1)
    await chat.say("la 2")
    assert chat.text == chat.assistant.feature(FaqFeature).answer("la 2").text


async def test_la_2_without_suggestions_is_answered_as_a_question(
        chat: Chat, faq: FaqFeature, store: Store) -> None:
    await chat.say("la 2")
    expected = faq.answer("la 2")
    assert chat.text == expected.text
    recorded = ["la 2"] if expected.kind in ("suggest", "fallback") else []
    assert [r.question for r in await store.unanswered_to_review()] == recorded


# --- two questions in one message ---------------------------------------------------------

async def test_two_questions_get_two_answers(chat: Chat, faq: FaqFeature,
                                             content: Content) -> None:
    replies = await chat.say("combien pour 2 postes et c'est quoi le CCP1 ?")
    assert len(replies) == 2
    assert "100 000" in spaced(replies[0].text)
    ccp = faq.answer("c'est quoi le CCP1 ?")
    assert ccp.kind == "faq" and ccp.entry_id is not None
    assert content.faq[ccp.entry_id].answer in replies[1].text


async def test_questions_separated_by_question_marks(chat: Chat, faq: FaqFeature,
                                                     content: Content) -> None:
    replies = await chat.say("Quelle durée de contrat ? Et qui paie la formation ?")
    assert len(replies) == 2
    duration = faq.answer("Quelle durée de contrat ?")
    assert duration.entry_id is not None
    assert content.faq[duration.entry_id].answer in replies[0].text


@pytest.mark.parametrize("said", [
    "formation et diplome du conseiller", "Combien ? Pour 2 postes ?",
    "quand et comment recruter le conseiller",
    "qui pilote le dispositif conseiller numerique ? c'est l'ANCT ?",
    "on doit fournir quoi au conseiller ? ordi telephone bureau ?",
])
async def test_one_question_is_not_split(chat: Chat, said: str) -> None:
    replies = await chat.say(said)
    assert len(replies) == 1, said


# --- follow-ups ---------------------------------------------------------------------------

def computed(chat: Chat) -> str:
    """The title of the computation just shown ("… pour 2 postes (Guyane)")."""
    return spaced(chat.text).split("\n")[0]


async def test_follow_ups_on_a_computation_change_one_slot(chat: Chat) -> None:
    await chat.say("combien pour 2 postes ?")
    assert computed(chat) == "<b>Subvention de l'État pour 2 postes (Métropole)</b>"
    await chat.say("et en Guyane ?")
    assert computed(chat) == "<b>Subvention de l'État pour 2 postes (Guyane)</b>"
    await chat.say("et pour 3 postes ?")
    assert computed(chat) == "<b>Subvention de l'État pour 3 postes (Guyane)</b>"
    await chat.say("et si on est une asso")
    assert computed(chat) == "<b>Subvention de l'État pour 3 postes (structure privée)</b>"
    await chat.say("ok, et pour 4 ?")
    assert computed(chat) == "<b>Subvention de l'État pour 4 postes (structure privée)</b>"
    await chat.say("Et pour une commune en Martinique ?")
    assert computed(chat) == "<b>Subvention de l'État pour 4 postes (Martinique)</b>"


async def test_a_follow_up_after_an_faq_answer_completes_the_question(
        chat: Chat, faq: FaqFeature, content: Content) -> None:
    await chat.say("c'est combien la subvention ?")
    first = faq.answer("c'est combien la subvention ?")
    assert first.kind == "faq" and first.entry_id in content.faq
    [reply] = await chat.say("et pour une association ?")
    expected = faq.answer(f"{content.faq[first.entry_id].question} 1 association")
    assert expected.kind == "faq" and expected.entry_id != first.entry_id
    assert expected.text in reply.text


@pytest.mark.parametrize("said", ["et c'est quoi le CCP1 ?",
                                  "c est quoi un conseiller numerique"])
async def test_a_question_after_a_computation_is_not_a_follow_up(chat: Chat,
                                                                 said: str) -> None:
    await chat.say("combien pour 2 postes ?")
    await chat.say(said)
    newcomer = Chat(chat.assistant, 2, 2)
    await newcomer.say(said)
    assert chat.text == newcomer.text and "Subvention" not in chat.text


async def test_the_subject_expires(content: Content, store: Store) -> None:
    clock = Clock()
    chat = Chat(build_assistant(content, store, clock=clock))
    await chat.say("combien pour 2 postes ?")
    clock.later(content.followups.minutes - 1)
    await chat.say("et en Guyane ?")
    assert computed(chat) == "<b>Subvention de l'État pour 2 postes (Guyane)</b>"
    clock.later(content.followups.minutes + 1)
    await chat.say("et en Guyane ?")
    newcomer = Chat(chat.assistant, 2, 2)
    await newcomer.say("et en Guyane ?")
    assert chat.text == newcomer.text


async def test_a_question_not_answered_ends_the_subject(chat: Chat) -> None:
    await chat.say("combien pour 2 postes ?")
    await chat.say("quelle est la recette de la tarte tatin ?")
    assert messages.FALLBACK in chat.text
    await chat.say("et en Guyane ?")
    newcomer = Chat(chat.assistant, 2, 2)
    await newcomer.say("et en Guyane ?")
    assert chat.text == newcomer.text


async def test_the_subject_is_per_member_of_a_chat(content: Content, store: Store) -> None:
    assistant = build_assistant(content, store, clock=lambda: FIXED_NOW)
    alice, bob = Chat(assistant, -100, 1), Chat(assistant, -100, 2)
    await alice.say("combien pour 2 postes ?")
    await bob.say("et en Guyane ?")
    newcomer = Chat(assistant, 3, 3)
    await newcomer.say("et en Guyane ?")
    assert bob.text == newcomer.text
    await alice.say("et en Guyane ?")
    assert computed(alice) == "<b>Subvention de l'État pour 2 postes (Guyane)</b>"


async def test_the_remembered_subject_keeps_no_words_of_the_user(chat: Chat,
                                                                 store: Store) -> None:
    await chat.say("c'est combien la subvention pour ma commune de Trifouilly ?")
    [(stored,)] = await store.db.fetchall("SELECT context FROM talk_context")
    assert "Trifouilly" not in stored
    await chat.say("combien pour 2 postes a la mairie, on est en Guyane ?")
    [(stored,)] = await store.db.fetchall("SELECT context FROM talk_context")
    assert "mairie" not in stored and '"postes": 2' in stored


async def test_oubli_erases_the_remembered_subject(chat: Chat, store: Store) -> None:
    await chat.say("combien pour 2 postes ?")
    assert await talk_rows(store) == 1
    await chat.say("/oubli")
    await chat.press(messages.FORGET_YES)
    assert "le sujet de notre dernier échange" in chat.text
    assert await talk_rows(store) == 0
    await chat.say("et en Guyane ?")
    newcomer = Chat(chat.assistant, 2, 2)
    await newcomer.say("et en Guyane ?")
    assert chat.text == newcomer.text


async def test_the_retention_purges_the_remembered_subject(content: Content,
                                                           store: Store) -> None:
    old = Chat(build_assistant(content, store, clock=lambda: FIXED_NOW - dt.timedelta(days=400)))
    await old.say("combien pour 2 postes ?")
    recent = Chat(build_assistant(content, store, clock=lambda: FIXED_NOW), 2, 2)
    await recent.say("combien pour 2 postes ?")
    counts = await privacy.purge(store.db, FIXED_NOW, days=365)
    assert counts["talk_context"] == 1
    assert await talk_rows(store) == 1


async def test_a_follow_up_keeps_the_renewal_and_its_bonus(chat: Chat) -> None:
    await chat.say("combien pour 2 postes au renouvellement en zrr ?")
    title = "<b>Convention de renouvellement (2023) pour {} (employeur public en QPV ou ZRR)</b>"
    assert computed(chat) == title.format("2 postes")
    await chat.say("et pour 3 postes ?")
    assert computed(chat) == title.format("3 postes")


async def test_a_follow_up_never_computes_a_figure_the_sources_lack(chat: Chat) -> None:
    await chat.say("renouvellement 2 postes montant total")
    assert "renouvellement" in computed(chat)
    await chat.say("et en Guyane ?")
    assert "renouvellement (2023) pour" not in chat.text
    assert "× " not in chat.text


@pytest.mark.parametrize(("said", "intent"), [
    ("Bonjour Monsieur, je vous écris de la part de M. le Maire.", "salutation"),
    ("merci, vous m'avez bien aidée !", "merci"),
    ("attendez deux minutes, j'ai quelqu'un au guichet", "patience"),
    ("désolée pour les fautes, j'écris avec mon téléphone", "excuses"),
])
async def test_small_talk_around_a_statement_is_small_talk(faq: FaqFeature, said: str,
                                                           intent: str) -> None:
    [answer] = faq.reply(said)
    assert (answer.kind, answer.intent) == ("smalltalk", intent)


async def test_small_talk_never_hides_a_question_asked_without_a_question_mark(
        faq: FaqFeature) -> None:
    answers = faq.reply("bonjour, on peut recruter un conseiller en contrat de projet")
    assert answers[0].kind != "smalltalk"


async def test_decomposed_accents_and_fraction_signs_keep_the_whole_question(
        chat: Chat) -> None:
    # text pasted from a PDF may carry "é" as "e" + a combining accent; Word types "½"
    await chat.say(unicodedata.normalize(
        "NFD", "Bonjour quelle subvention prévue pour 2 postes en Martinique merci"))
    assert "Martinique" in chat.text
    await chat.say("Bonjour un poste à ½ temps ou ¼ temps possible merci")
    assert chat.text
