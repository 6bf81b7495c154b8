"""Issue 12.1: huge numbers are explained like any other unreadable value, never a crash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.replies import Incoming
from bot.programme import values
from bot.programme.values import InvalidValue
from tests.support.chat import Chat
from tests.support.processes import run_bot

TODAY = dt.date(2026, 3, 16)
HUGE = "99999999999999999999"


@pytest.mark.parametrize("text", [f"12/{HUGE}/2021", f"{HUGE}/03/2021", f"12/03/{HUGE}",
                                  f"{HUGE} mars 2021", f"12 mars {'9' * 5000}"])
def test_huge_date_parts_are_explained(text: str) -> None:
    with pytest.raises(InvalidValue) as error:
        values.parse_date(text, today=TODAY)
    assert "date" in error.value.message


@pytest.mark.parametrize("text", [HUGE, "9" * 5000, f"{HUGE} postes"])
def test_huge_integers_are_too_high(text: str) -> None:
    with pytest.raises(InvalidValue, match="maximum"):
        values.parse_integer(text, minimum=1, maximum=4000)


def test_huge_amount_is_too_high() -> None:
    with pytest.raises(InvalidValue, match="maximum"):
        values.parse_euros("9" * 5000, minimum=1000, maximum=100_000)


async def test_huge_date_in_a_flow_gets_the_date_explanation(chat: Chat) -> None:
    await chat.say("/rappels")
    await chat.press("Le contrat est signé")
    await chat.say(f"12/{HUGE}/2021")
    assert "date" in chat.text and "⚠" in chat.text
    await chat.say("12/03/2021")  # the flow goes on
    assert "Où se trouve votre structure" in chat.text


@pytest.mark.parametrize("payload", [f"n:{HUGE}", f"s:{HUGE}:montant", "n:²", "s:²:montant",
                                     f"r:c:{HUGE}", "o:y:²", f"q:{HUGE}::"])
async def test_forged_payloads_with_huge_or_odd_numbers(chat: Chat, payload: str) -> None:
    replies = await chat.assistant.handle(chat.conversation, Incoming.button(payload))
    assert replies and all(reply.text.strip() for reply in replies)


def test_chat_command_survives_a_huge_date(tmp_path: Path) -> None:
    """`python -m bot chat`: the huge date is explained and the next lines are read."""
    done = run_bot(tmp_path, "chat", stdin=f"/rappels\n3\n12/{HUGE}/2021\n12/03/2021\n")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Où se trouve votre structure" in done.stdout
