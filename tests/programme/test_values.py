"""Typed values: what French users type is read, and what cannot be read is explained."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.programme import values
from bot.programme.values import InvalidValue

TODAY = dt.date(2026, 3, 16)


@pytest.mark.parametrize(("text", "expected"), [
    ("2", 2), ("deux", 2), ("2 postes", 2), ("24 mois", 24), ("vingt-quatre", 24),
    (" 3 ", 3), ("un", 1), ("1 000", 1000),
])
def test_integers(text: str, expected: int) -> None:
    assert values.parse_integer(text, minimum=1, maximum=4000) == expected


@pytest.mark.parametrize("text", ["abc", "2,5", "2 ou 3", "", "deux ans et demi", "-3"])
def test_integer_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidValue) as error:
        values.parse_integer(text, minimum=1, maximum=36)
    assert "nombre entier entre 1 et 36" in error.value.message
    assert "par exemple « 2 »" in error.value.message


def test_integer_bounds_say_the_limit() -> None:
    with pytest.raises(InvalidValue, match="le maximum est 36"):
        values.parse_integer("48", minimum=1, maximum=36)
    with pytest.raises(InvalidValue, match="le minimum est 1"):
        values.parse_integer("0", minimum=1, maximum=36)


@pytest.mark.parametrize(("text", "expected"), [
    ("1650", 1650.0), ("1 650", 1650.0), ("1\u00a0650,50 €", 1650.5), ("1650.5 euros", 1650.5),
    ("1.650,05", 1650.05), ("2 000 € brut", 2000.0), ("1800 euros par mois", 1800.0),
    ("1554,58", 1554.58),
])
def test_amounts(text: str, expected: float) -> None:
    assert values.parse_euros(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["beaucoup", "1 65", "12,345", "mille six cents €"])
def test_amount_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidValue, match="montant en euros, par exemple"):
        values.parse_euros(text)


def test_amount_below_minimum_names_it_in_euros() -> None:
    with pytest.raises(InvalidValue) as error:
        values.parse_euros("1200", minimum=1554.58)
    assert error.value.message == ("1\u202f200\u00a0€, c'est trop peu : le minimum est "
                                   "1\u202f554,58\u00a0€.")


@pytest.mark.parametrize(("text", "expected"), [
    ("36,5", 36.5), ("36.5 %", 36.5), ("40%", 40.0), ("42 pourcents", 42.0), ("0", 0.0),
])
def test_percentages(text: str, expected: float) -> None:
    assert values.parse_percent(text, minimum=0, maximum=100) == expected


def test_percentage_refused_and_bounded() -> None:
    with pytest.raises(InvalidValue, match="pourcentage, par exemple « 36,5 »"):
        values.parse_percent("un tiers")
    with pytest.raises(InvalidValue, match="le maximum est 100"):
        values.parse_percent("150", maximum=100)


@pytest.mark.parametrize(("text", "expected"), [
    ("12/03/2021", dt.date(2021, 3, 12)), ("12-03-2021", dt.date(2021, 3, 12)),
    ("12.3.21", dt.date(2021, 3, 12)), ("12 mars 2021", dt.date(2021, 3, 12)),
    ("1er mars 2021", dt.date(2021, 3, 1)), ("premier mars 2021", dt.date(2021, 3, 1)),
    ("mardi 16 mars 2021", dt.date(2021, 3, 16)), ("le 3 août 2022", dt.date(2022, 8, 3)),
    ("3 aout 2022", dt.date(2022, 8, 3)), ("2021-03-12", dt.date(2021, 3, 12)),
    ("mars 2021", dt.date(2021, 3, 1)), ("douze mars deux mille vingt et un",
                                         dt.date(2021, 3, 12)),
    ("aujourd'hui", TODAY), ("Aujourd’hui", TODAY), ("hier", dt.date(2026, 3, 15)),
])
def test_french_dates(text: str, expected: dt.date) -> None:
    assert values.parse_date(text, today=TODAY) == expected


def test_impossible_and_unreadable_dates() -> None:
    with pytest.raises(InvalidValue, match="n'existe pas"):
        values.parse_date("31/02/2021", today=TODAY)
    with pytest.raises(InvalidValue, match="par exemple « 01/03/2021 »"):
        values.parse_date("bientôt", today=TODAY)


def test_date_bounds_are_shown_as_french_dates() -> None:
    with pytest.raises(InvalidValue) as error:
        values.parse_date("01/01/2019", today=TODAY, minimum=dt.date(2020, 11, 17))
    assert "le minimum est mardi 17 novembre 2020" in error.value.message
