"""Issue 10.7: typed steps accept what people type — synonyms and first letters of button
labels, "ouais"/"nan", "SMIC" or "par défaut" where a step has a default — declared in the
flow YAML (« mots », « mots_defaut ») and checked with file:line errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.assistant import Assistant
from bot.channels.console import Console
from tests.support.chat import Chat, spaced
from tests.support.flows import VALID, assert_refused, to_step


@pytest.mark.parametrize(("typed", "stored"), [
    ("une association", "prive"), ("asso", "prive"), ("une asociation", "prive"),
    ("c'est une commune", "public"), ("Publique", "public"), ("ESS", "prive"),
    ("priv", "prive"), ("PUBLIQUE !", "public")])
async def test_structure_typed(chat: Chat, typed: str, stored: str) -> None:
    await to_step(chat, "structure")
    await chat.say(typed)
    row = await chat.assistant.store.conversation(1, 1)
    assert row is not None and row.answers.get("structure") == stored, chat.text
    assert "Quelle convention" in chat.text


@pytest.mark.parametrize("typed", ["bonjour", "p", "les deux", "ouais"])
async def test_what_names_no_single_choice_is_asked_again(chat: Chat, typed: str) -> None:
    await to_step(chat, "structure")
    await chat.say(typed)
    assert "⚠" in chat.text and "publique ou privée" in chat.text


@pytest.mark.parametrize(("typed", "stored"), [
    ("ouais", "oui"), ("Oui", "oui"), ("d'accord", "oui"), ("nan", "non"),
    ("pas du tout", "non"), ("non", "non")])
async def test_yes_and_no_in_the_eligibility_engagements(chat: Chat, typed: str,
                                                         stored: str) -> None:
    await chat.say("/eligibilite")
    await chat.say("commune")
    assert "Engagement 1 sur 5" in chat.text
    await chat.say(typed)
    row = await chat.assistant.store.conversation(1, 1)
    assert row is not None and row.answers.get("selection") == stored
    assert "Engagement 2 sur 5" in chat.text


@pytest.mark.parametrize("typed", ["SMIC", "smic", "le Smic", "par défaut", "défaut"])
async def test_the_salary_default_typed(chat: Chat, typed: str) -> None:
    await to_step(chat, "salaire_")
    assert "salaire brut mensuel" in chat.text
    await chat.say(typed)
    row = await chat.assistant.store.conversation(1, 1)
    assert row is not None and row.answers.get("salaire") == 1554.58, chat.text  # SMIC, March 2021
    assert "cotisations patronales" in chat.text


async def test_the_employer_rate_default_typed(chat: Chat) -> None:
    await to_step(chat, "salaire_")
    await chat.say("SMIC")
    await chat.say("par défaut")
    row = await chat.assistant.store.conversation(1, 1)
    assert row is not None and row.answers.get("taux_patronal") == 36.5


async def test_a_number_that_is_also_a_button_number_is_asked(assistant: Assistant,
                                                              tmp_path: Path) -> None:
    """In the terminal the employer-rate buttons are [1] the default (36,5 %), [2] 35 %…: a
    typed "1" could be the button or 1 %; it is asked, "[1]" presses, "40" is 40 %."""
    out = io.StringIO()
    console = Console(assistant, out, tmp_path)
    for line in ["/simulation", "2", "Métropole", "publique", "initiale", "01/03/2021", "24",
                 "smic"]:
        await console.send(line)
    assert "cotisations patronales" in spaced(out.getvalue().split("» smic")[-1])
    assert await console.send("1") == []
    assert "le bouton [1]" in out.getvalue()
    row = await assistant.store.conversation(0, 0)
    assert row is not None and "taux_patronal" not in row.answers
    await console.send("[1]")
    row = await assistant.store.conversation(0, 0)
    assert row is not None and row.answers.get("taux_patronal") == 36.5
    await console.send("/simulation")
    for line in ["2", "Métropole", "publique", "initiale", "01/03/2021", "24", "smic", "40"]:
        await console.send(line)
    row = await assistant.store.conversation(0, 0)
    assert row is not None and row.answers.get("taux_patronal") == 40.0


def test_words_must_be_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("      - {valeur: oui, libelle: Oui}",
                         "      - {valeur: oui, libelle: Oui, mots: [ouais, yes]}")
    assert_refused(tmp_path, capsys, text, "mots: [ouais, yes]", "« mots »", "True",
                   "entre guillemets")


def test_a_word_may_not_name_another_choice(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("      - {valeur: oui, libelle: Oui}",
                         "      - {valeur: oui, libelle: Oui, mots: [ouais, non merci]}")
    assert_refused(tmp_path, capsys, text, "mots: [ouais, non merci]", "« non merci »",
                   "désigne aussi le choix « non »")


def test_default_words_need_a_default(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("    min: 1\n", "    min: 1\n    mots_defaut: [smic]\n")
    assert_refused(tmp_path, capsys, text, "mots_defaut: [smic]", "« mots_defaut » sans")
