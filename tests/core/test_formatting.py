"""French formatting of amounts, numbers and dates."""

import datetime as dt

import pytest

from bot.core import formatting


@pytest.mark.parametrize(("value", "expected"), [
    (140_000, "140\u202f000\u00a0€"), (1554.58, "1\u202f554,58\u00a0€"),
    (326.6, "326,60\u00a0€"), (50_000.0, "50\u202f000\u00a0€"),
    (200_000_000, "200 millions d'euros"), (27_900_000, "27,9 millions d'euros"),
    (1_000_000, "1 million d'euros"),
])
def test_euros(value: float, expected: str) -> None:
    assert formatting.euros(value) == expected


def test_numbers_and_percentages() -> None:
    assert formatting.number(4000) == "4\u202f000"
    assert formatting.number(1.5) == "1,5"
    assert formatting.percent(36.5) == "36,5\u00a0%"
    assert formatting.quantity(1, "poste") == "1\u00a0poste"
    assert formatting.quantity(24, "mois", "mois") == "24\u00a0mois"


def test_dates_in_full() -> None:
    assert formatting.date(dt.date(2021, 3, 15)) == "lundi 15 mars 2021"
    assert formatting.date(dt.date(2021, 3, 16)) == "mardi 16 mars 2021"
    assert formatting.date(dt.date(2026, 1, 1)) == "jeudi 1er janvier 2026"
