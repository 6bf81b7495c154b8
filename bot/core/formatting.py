"""French formatting of amounts, numbers, percentages and dates (CLDR data through Babel)."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"
_TAGS = re.compile(r"<[^>]+>")


def number(value: float | int | Decimal, *, decimals: int | None = None) -> str:
    """Format a number the French way: "4 000", "36,5", "1,5"."""
    if decimals is None:
        pattern = "#,##0.##"
    else:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def euros(value: float | int | Decimal) -> str:
    """Format an amount in euros: "140 000 €", "326,60 €", "27,9 millions d'euros"."""
    amount = float(value)
    if amount >= 1_000_000 and amount % 100_000 == 0:
        millions = amount / 1_000_000
        return f"{number(millions)} million{'s' if millions >= 2 else ''} d'euros"
    decimals = 0 if amount == int(amount) else 2
    return number(value, decimals=decimals) + "\u00a0€"


def percent(value: float | int | Decimal) -> str:
    """Format a percentage given in percent units: 36.5 → "36,5 %"."""
    return number(value) + "\u00a0%"


def date(value: dt.date) -> str:
    """Format a date in full: "lundi 15 mars 2021", "jeudi 1er janvier 2026"."""
    if value.day == 1:
        return format_date(value, "EEEE d'er' MMMM y", locale=LOCALE)
    return format_date(value, "EEEE d MMMM y", locale=LOCALE)


def quantity(value: float | int, singular: str, plural: str | None = None) -> str:
    """Format a count with its unit: "1 poste", "24 mois", "2 postes"."""
    unit = singular if abs(value) < 2 else (plural or singular + "s")
    return f"{number(value)}\u00a0{unit}"


def plural_s(count: int) -> str:
    """The plural mark of `count` things: "s", or "" for 0 or 1."""
    return "s" if count > 1 else ""


def counted(count: int, word: str) -> str:
    """ "1 rappel", "3 rappels" (a non-breaking space between)."""
    return f"{count}\u00a0{word}{plural_s(count)}"


def plain(text: str) -> str:
    """HTML reply text as plain text (a terminal, a log, a Telegram fallback)."""
    return html.unescape(_TAGS.sub("", text))
