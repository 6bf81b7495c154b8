"""Flows through the engine: buttons bound to the conversation, versions, side questions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import app
from bot.app import build_assistant
from bot.content.loader import Content
from bot.core.callbacks import (
    MAX_CALLBACK_BYTES,
    FlowButton,
    PayloadTooLong,
    RefineButton,
    checked,
)
from bot.core.replies import Conversation, Incoming, split_text
from bot.dialogue import turns as dialog
from bot.faq.answering import looks_like_question
from bot.programme.flowrules import RuleEnv
from bot.storage.store import ConversationRow, Store
from tests.support.chat import FIXED_NOW, FLOWS, KNOWLEDGE, Chat

ME = Conversation(1, 1)


def payloads(chat: Chat) -> dict[str, str]:
    return {b.label: b.payload for reply in chat.last for row in reply.buttons for b in row}


async def test_a_button_of_an_older_screen_is_no_longer_active(chat: Chat) -> None:
    await chat.say("/simulation")
    old = payloads(chat)["2\u00a0postes"]
    await chat.press("2\u00a0postes")
    assert "Où se trouve votre structure ?" in chat.text
    replies = await chat.assistant.handle(ME, Incoming.button(old))
    text = "\n".join(r.text for r in replies)
    assert text.startswith("Ce bouton n'est plus actif. Voici où vous en êtes :")
    assert "Où se trouve votre structure ?" in text
    row = await chat.assistant.store.conversation(1, 1)
    assert row is not None and row.step == "territoire" and row.answers == {"postes": 2}


@pytest.mark.parametrize("forged", ["w:zz:o9", "w:1:o99", "w:1:e0", "w:1", "w::b", "w:1:?"])
async def test_forged_flow_buttons_show_the_current_step(chat: Chat, forged: str) -> None:
    await chat.say("/simulation")
    replies = await chat.assistant.handle(ME, Incoming.button(forged))
    text = "\n".join(r.text for r in replies)
    assert "Ce bouton n'est plus actif" in text
    if forged.count(":") == 2 and forged.split(":")[1]:
        assert "Combien de postes" in text
    row = await chat.assistant.store.conversation(1, 1)
    assert row is not None and row.step == "postes"


@pytest.mark.parametrize("forged", ["w:1:b", "q:999999::", "q:2:atlantide:public"])
async def test_flow_buttons_without_a_flow_and_bad_refine_buttons(chat: Chat,
                                                                  forged: str) -> None:
    replies = await chat.assistant.handle(ME, Incoming.button(forged))
    assert replies[0].text.startswith("Ce bouton n'est plus actif.")
    assert await chat.assistant.store.conversation(1, 1) is None


async def test_back_and_edit_replace_the_message_answers_do_not(chat: Chat) -> None:
    await chat.say("/eligibilite")
    await chat.press("Commune")
    assert chat.last[0].replace is False
    await chat.press("⬅ Retour")
    assert chat.last[0].replace is True
    assert "Votre réponse précédente : <b>Commune</b>" in chat.text


async def test_cancel_works_anywhere(chat: Chat) -> None:
    await chat.say("/annuler")
    assert "Aucun questionnaire n'est en cours." in chat.text
    await chat.say("/simulation")
    await chat.say("/aide")  # another command does not end the flow
    await chat.say("/annuler")
    assert "C'est annulé" in chat.text
    row = await chat.assistant.store.conversation(1, 1)
    assert row is not None and row.flow_id is None


async def test_a_question_during_a_choice_is_answered_then_the_choice_asked_again(
        chat: Chat) -> None:
    await chat.say("/simulation")
    await chat.say("2")
    await chat.say("qui paie les déplacements ?")
    assert "L'employeur" in chat.text
    assert chat.text.rstrip().endswith("Où se trouve votre structure ?")
    assert "Guadeloupe" in chat.labels
    await chat.say("guadeloupe")  # a choice typed as text
    assert "publique ou privée" in chat.text


async def test_user_text_is_never_echoed_as_html(chat: Chat) -> None:
    await chat.say("/simulation")
    await chat.say("<b>cinq</b> & co")
    assert "<b>cinq" not in chat.text
    assert "nombre entier" in chat.text


async def test_a_changed_flow_version_is_announced_and_can_continue(
        content: Content, store: Store) -> None:
    first = Chat(build_assistant(content, store, clock=lambda: FIXED_NOW))
    await first.say("/simulation")
    await first.say("2")
    flows = dict(content.flows)
    flows["simulation"] = dataclasses.replace(flows["simulation"], version=99)
    updated = Chat(build_assistant(dataclasses.replace(content, flows=flows), store,
                             clock=lambda: FIXED_NOW))
    await updated.say("3")
    assert "a été mis à jour depuis votre dernière visite" in updated.text
    assert updated.labels == ["Continuer", "↻ Recommencer", "✖ Annuler"]
    await updated.press("Continuer")
    assert "Où se trouve votre structure ?" in updated.text
    row = await store.conversation(1, 1)
    assert row is not None and row.flow_version == 99 and row.answers == {"postes": 2}
    await updated.press("Guyane")
    assert "publique ou privée" in updated.text


async def test_a_removed_step_can_only_restart(content: Content, store: Store) -> None:
    await store.save_conversation(1, 1, ConversationRow(
        seq=7, flow_id="simulation", flow_version=0, step="etape_supprimee",
        answers={"postes": 2}), FIXED_NOW)
    chat = Chat(build_assistant(content, store, clock=lambda: FIXED_NOW))
    await chat.say("/reprendre")
    assert "La question où vous en étiez n'existe plus" in chat.text
    assert chat.labels == ["↻ Recommencer", "✖ Annuler"]
    await chat.press("↻ Recommencer")
    assert "Combien de postes" in chat.text


async def test_a_removed_flow_is_said_politely(content: Content, store: Store) -> None:
    await store.save_conversation(1, 1, ConversationRow(
        seq=3, flow_id="disparu", flow_version=1, step="x"), FIXED_NOW)
    chat = Chat(build_assistant(content, store, clock=lambda: FIXED_NOW))
    await chat.say("bonjour")
    assert "n'existe plus" in chat.text
    row = await store.conversation(1, 1)
    assert row is not None and row.flow_id is None and row.seq == 4


async def test_two_users_of_one_chat_have_their_own_flows(content: Content,
                                                          store: Store) -> None:
    assistant = build_assistant(content, store, clock=lambda: FIXED_NOW)
    alice, bob = Chat(assistant, 5, 1), Chat(assistant, 5, 2)
    await alice.say("/simulation")
    await bob.say("/eligibilite")
    await alice.say("4")
    alice_row, bob_row = await store.conversation(5, 1), await store.conversation(5, 2)
    assert alice_row is not None and alice_row.answers == {"postes": 4}
    assert bob_row is not None and bob_row.step == "structure"


def test_clear_questions_are_recognised() -> None:
    for text in ("c'est quoi le CCP1 ?", "qui paie les déplacements", "Combien pour 2 postes",
                 "quel est le délai ?", "est-ce obligatoire"):
        assert looks_like_question(text), text
    for text in ("12 mars 2021", "2", "bof", "aujourd'hui", "1 650 €"):
        assert not looks_like_question(text), text


# --- payloads -----------------------------------------------------------------------------

def test_codec_refuses_payloads_over_64_bytes() -> None:
    assert checked("é" * 32) == "é" * 32
    with pytest.raises(PayloadTooLong):
        checked("é" * 33)
    assert FlowButton.unpack(FlowButton(123456, "e12").pack()) == FlowButton(123456, "e12")
    assert RefineButton.unpack(RefineButton(2, "mayotte", "prive").pack()) == \
        RefineButton(2, "mayotte", "prive")
    for garbage in ("", "w", "w:1:o1:x", "q:1:2", "q:x::", "q:1::maybe", "w:-1:b"):
        assert FlowButton.unpack(garbage) is None or garbage.startswith("w:1")
        assert RefineButton.unpack(garbage) is None


def test_every_button_of_every_flow_and_menu_fits_64_bytes(content: Content) -> None:
    biggest_seq = 36 ** 8 - 1  # the largest turn number a flow payload may carry
    env = RuleEnv(params=content.params, today=FIXED_NOW.date())
    sizes = []
    for flow in content.flows.values():
        for step in flow.steps.values():
            codes = ["b", "x", "k", "d", "z", "t", "r", f"e{flow.index(step.id)}"]
            codes += [f"o{i}" for i in range(len(step.options))]
            codes += [f"s{i}" for i in range(len(step.suggestions))]
            sizes += [len(FlowButton(biggest_seq, code).pack().encode()) for code in codes]
            for option in step.options:
                assert option.label.strip() and len(option.label) <= 64, option
        state = dialog.FlowState(flow_id=flow.id, version=flow.version, step=flow.first)
        screen = dialog.screen_at(flow, env, state)[1]
        assert screen.actions
    for item in content.menu:
        payload = f"f:{item.faq}" if item.faq else f"c:{item.command}"
        sizes.append(len(checked(payload).encode()))
    for entry in content.faq.values():
        sizes.append(len(checked(f"s:{10 ** 12}:{entry.id}").encode()))
        sizes += [len(checked(f"f:{other}").encode()) for other in entry.see_also]
    longest = max(content.params.territories, key=len)
    sizes.append(len(RefineButton(int(content.params.value("nombre_conseillers")), longest,
                                  "public").pack().encode()))
    assert max(sizes) <= MAX_CALLBACK_BYTES


def test_menu_can_offer_the_flows(tmp_path: Path) -> None:
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    with (copy / "menu.yaml").open("a", encoding="utf-8") as menu:
        menu.write("- libelle: Vérifier l'éligibilité\n  commande: eligibilite\n"
                   "- libelle: Simuler le financement\n  commande: simulation\n"
                   "- libelle: Annuler\n  commande: annuler\n")
    loaded = app.load(copy, FLOWS)
    assert [i.command for i in loaded.menu[-3:]] == ["eligibilite", "simulation", "annuler"]


# --- results do not depend on the order in which answers were given -----------------------

COMPLETE = {"postes": 3, "territoire": "autre", "territoire_autre": "saint_martin",
            "structure": "public", "convention": "renouvellement_2023", "qpv_zrr": "oui",
            "debut": "2024-02-29", "duree": 30, "salaire": 1900.0, "taux_patronal": 38.0}


@settings(max_examples=50, deadline=None)
@given(order=st.permutations(list(COMPLETE)))
def test_results_do_not_depend_on_the_order_of_answers(content: Content,
                                                       order: list[str]) -> None:
    flow = content.flows["simulation"]
    env = RuleEnv(params=content.params, today=dt.date(2026, 3, 16))
    reference = dialog.walk(flow, env, COMPLETE, until="recapitulatif")
    shuffled = dialog.walk(flow, env, {k: COMPLETE[k] for k in order}, until="recapitulatif")
    assert shuffled.stop == reference.stop == "recapitulatif"
    assert shuffled.values == reference.values


async def test_editing_from_the_recap_gives_the_same_result_as_answering_directly(
        content: Content, tmp_path: Path) -> None:
    async def recap(answers: list[str], edits: list[tuple[str, str]]) -> str:
        store = await Store.open(tmp_path / f"{len(edits)}.sqlite3")
        try:
            chat = Chat(build_assistant(content, store, clock=lambda: FIXED_NOW))
            await chat.say("/simulation")
            for answer in answers:
                labels = [b for b in chat.labels if b == answer]
                await (chat.press(labels[0]) if labels else chat.say(answer))
            for button, answer in edits:
                await chat.press(button)
                await chat.say(answer)
            return chat.text
        finally:
            await store.close()

    path = ["Martinique", "Publique (collectivité, établissement public…)",
            "Convention initiale (AMI 2020)", "01/06/2021", "18", "1700", "37"]
    direct = await recap(["4", *path], [])
    edited = await recap(["1", *path], [("Modifier « Nombre de postes »", "4")])
    assert "Simulation pour 4\u00a0postes</b> (Martinique)" in direct
    assert direct == edited


def test_long_texts_are_split_between_lines_under_telegram_limit() -> None:
    paragraph = "• " + "mot " * 30
    text = "\n".join([paragraph] * 200)
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(len(chunk) <= 4000 for chunk in chunks)
    assert "\n".join(chunks) == text
    assert split_text("court") == ["court"]


@pytest.mark.parametrize("incoming", [Incoming.text("24"), Incoming.text("/reprendre"),
                                      Incoming.button("w:9:b")])
async def test_a_state_that_cannot_be_replayed_is_reset_politely(
        content: Content, store: Store, incoming: Incoming,
        caplog: pytest.LogCaptureFixture) -> None:
    await store.save_conversation(1, 1, ConversationRow(
        seq=9, flow_id="simulation", flow_version=content.flows["simulation"].version,
        step="duree", answers={"postes": 2, "territoire": "metropole", "structure": "public",
                               "convention": "ami_2020", "debut": "pas une date"}), FIXED_NOW)
    assistant = build_assistant(content, store, clock=lambda: FIXED_NOW)
    replies = await assistant.handle(ME, incoming)
    assert replies[0].text.startswith("Désolé, je n'ai pas pu reprendre votre questionnaire")
    assert "cannot be replayed" in caplog.text
    row = await store.conversation(1, 1)
    assert row is not None and row.flow_id is None
    assert "Combien de postes" in "".join(
        r.text for r in await assistant.handle(ME, Incoming.text("/simulation")))
