"""Typed values typed by users (integers, euros, percentages, French dates): parse or explain."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from bot.core import formatting, messages
from bot.core.text import normalize, strip_accents

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}
DATE_FILLERS = frozenset(
    "le la l du au a partir compter de des er premier lundi mardi mercredi jeudi vendredi "
    "samedi dimanche".split())
INTEGER_FILLERS = frozenset("postes poste mois conseillers conseiller environ".split())
AMOUNT_WORDS = re.compile(r"(€|\beuros?\b|\beur\b|\bbruts?\b|\bmensuels?\b|\bpar mois\b|/ ?mois)")
AMOUNT = re.compile(r"^(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:[,.](\d{1,2}))?$")
PERCENT_WORDS = re.compile(r"(%|\bpour ?cents?\b|\bpourcents?\b)")
PERCENT = re.compile(r"^(\d{1,3})(?:[,.](\d{1,3}))?$")
MAX_DIGITS = 12  # longer numbers are refused as too high before any conversion


Comparable = Any  # int, float or date, compared with its bounds


class InvalidValue(ValueError):
    """A typed value that cannot be accepted; `message` says why, in French, with an example."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_integer(text: str, *, minimum: int | None = None, maximum: int | None = None,
                  show: Callable[[int], str] = formatting.number) -> int:
    """A whole number ("2", "deux", "24 mois"), within bounds (shown with `show`)."""
    words = normalize(text).split()
    numbers = [w for w in words if w.isdigit()]
    others = [w for w in words if not w.isdigit() and w not in INTEGER_FILLERS]
    units = PERCENT_WORDS.search(strip_accents(text.lower())) or AMOUNT_WORDS.search(
        strip_accents(text.lower()))  # "999 %" is not a number of posts
    if len(numbers) != 1 or others or units or _has_decimal(text):
        raise InvalidValue(messages.EXPECT_INTEGER.format(range=_range(minimum, maximum),
                                                          example=_example(minimum, 2)))
    if len(numbers[0]) > MAX_DIGITS:
        raise InvalidValue(messages.TOO_HIGH_PLAIN.format(high=show(maximum))
                           if maximum is not None else messages.EXPECT_INTEGER.format(
                               range=_range(minimum, maximum), example=_example(minimum, 2)))
    value = int(numbers[0])
    _check_bounds(value, minimum, maximum, show)
    return value


def parse_euros(text: str, *, minimum: float | None = None,
                maximum: float | None = None) -> float:
    """An amount in euros ("1 650", "1 650,50 €", "1650.5 euros brut")."""
    cleaned = AMOUNT_WORDS.sub(" ", strip_accents(text.lower())).strip()
    cleaned = re.sub(r"\s+", " ", cleaned)
    match = AMOUNT.match(cleaned)
    if not match:
        raise InvalidValue(messages.EXPECT_EUROS.format(
            example=formatting.euros(round(minimum) if minimum else 1650)))
    whole = re.sub(r"[ \u00a0\u202f.]", "", match.group(1))
    if len(whole) > MAX_DIGITS:
        raise InvalidValue(messages.TOO_HIGH_PLAIN.format(high=formatting.euros(maximum))
                           if maximum is not None else messages.EXPECT_EUROS.format(
                               example=formatting.euros(round(minimum) if minimum else 1650)))
    cents = (match.group(2) or "0").ljust(2, "0")
    value = int(whole) + int(cents) / 100
    _check_bounds(value, minimum, maximum, formatting.euros)
    return value


def parse_percent(text: str, *, minimum: float | None = None,
                  maximum: float | None = None) -> float:
    """A percentage ("36,5", "36.5 %", "40 pourcents")."""
    cleaned = PERCENT_WORDS.sub(" ", strip_accents(text.lower())).strip()
    match = PERCENT.match(cleaned)
    if not match:
        raise InvalidValue(messages.EXPECT_PERCENT)
    value = float(f"{match.group(1)}.{match.group(2) or 0}")
    _check_bounds(value, minimum, maximum, formatting.percent)
    return value


def parse_date(text: str, *, today: dt.date, minimum: dt.date | None = None,
               maximum: dt.date | None = None) -> dt.date:
    """A French date: "12/03/2021", "12 mars 2021", "1er mars 2021", "aujourd'hui", "hier"."""
    words = normalize(text).split()
    if words in (["aujourd", "hui"], ["aujourdhui"], ["ce", "jour"]):
        value = today
    elif words == ["hier"]:
        value = today - dt.timedelta(days=1)
    elif words == ["demain"]:
        value = today + dt.timedelta(days=1)
    else:
        words = [w[:-2] if w.endswith("er") and w[:-2].isdigit() else w for w in words]
        value = _calendar_date([w for w in words if w not in DATE_FILLERS], words)
    _check_bounds(value, minimum, maximum, formatting.date)
    return value


def _calendar_date(words: list[str], original: list[str]) -> dt.date:
    if len(words) == 2 and words[0] in MONTHS and original[0] in ("premier", "1"):
        words = ["1", *words]  # "premier mars 2021" loses its day among the fillers
    if len(words) == 2 and (words[0] in MONTHS or words[0].isdigit()) and words[1].isdigit():
        words = ["1", *words]  # "mars 2021", "03/2021": the first day of the month
    if len(words) != 3:
        raise InvalidValue(messages.EXPECT_DATE)
    if len(words[0]) == 4 and words[0].isdigit():  # ISO: 2021-03-12
        words = [words[2], words[1], words[0]]
    day, month, year = words
    if any(len(part) > 4 for part in words if part.isdigit()):  # huge numbers: no such date
        raise InvalidValue(messages.NO_SUCH_DATE)
    month_number = MONTHS.get(month) or (int(month) if month.isdigit() else None)
    if not (day.isdigit() and year.isdigit() and month_number):
        raise InvalidValue(messages.EXPECT_DATE)
    year_number = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return dt.date(year_number, month_number, int(day))
    except ValueError:
        raise InvalidValue(messages.NO_SUCH_DATE) from None


def _has_decimal(text: str) -> bool:
    """Decimals and negative numbers, which normalisation would otherwise hide."""
    return bool(re.search(r"\d[,.]\d|-\s*\d", text))


def _range(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return messages.RANGE_BETWEEN.format(low=formatting.number(minimum),
                                             high=formatting.number(maximum))
    if minimum is not None:
        return messages.RANGE_AT_LEAST.format(low=formatting.number(minimum))
    return ""


def _example(minimum: int | None, fallback: int) -> str:
    return str(fallback if minimum is None else max(minimum, fallback))


def _check_bounds(value: Comparable, minimum: Comparable | None, maximum: Comparable | None,
                  show: Callable[[Any], str]) -> None:
    if minimum is not None and value < minimum:
        raise InvalidValue(messages.TOO_LOW.format(value=show(value), low=show(minimum)))
    if maximum is not None and value > maximum:
        raise InvalidValue(messages.TOO_HIGH.format(value=show(value), high=show(maximum)))
