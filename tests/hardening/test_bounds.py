"""Issue 12.7: every typed value has a sane range from content, and a clear French message
outside it (transcripts through the engine, real content, real SQLite)."""

from __future__ import annotations

import pytest

from tests.support.chat import Chat, spaced
from tests.support.flows import to_step


async def test_a_negative_number_of_posts_is_refused_by_the_quick_computation(
        chat: Chat) -> None:
    await chat.say("combien pour -5 postes ?")
    assert "entre 1 et 4 000" in spaced(chat.text)
    assert "250 000" not in spaced(chat.text)


@pytest.mark.parametrize("text", ["999 %", "-5 postes", "3 €"])
async def test_the_posts_step_takes_a_number_of_posts_only(chat: Chat, text: str) -> None:
    await chat.say("/simulation")
    await chat.say(text)
    assert "⚠" in chat.text and "Combien de postes" in chat.text


async def test_a_contract_start_in_2100_is_refused(chat: Chat) -> None:
    await to_step(chat, "debut")
    assert "date le contrat de travail commence" in chat.text
    await chat.say("01/03/2100")
    assert "le maximum est" in chat.text and "2030" in chat.text


async def test_a_salary_of_ten_to_the_twenty_euros_is_refused(chat: Chat) -> None:
    await to_step(chat, "salaire_")
    assert "salaire brut mensuel" in chat.text
    await chat.say("100000000000000000000")
    assert "le maximum est 10 000" in spaced(chat.text)
    await chat.say("1 e20 €")
    assert "⚠" in chat.text


async def test_a_reminder_in_2100_is_refused(chat: Chat) -> None:
    await chat.say("/rappels")
    await chat.press("Le contrat est signé")
    await chat.say("12/03/2100")
    assert "le maximum est" in chat.text and "Où se trouve" not in chat.text
