"""Buttons as numbered options, for channels without inline keyboards (terminal, Matrix):
shown as `[1] Libellé`, pressed by typing the number or the label."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.callbacks import FlowButton
from bot.core.replies import Button, Incoming
from bot.core.text import normalize

AMBIGUOUS = ("« {number} » : le bouton [{number}] « {label} », ou la valeur {number} ? Tapez "
             "« [{number}] » pour le bouton, ou la valeur avec son unité (par exemple "
             "« {number} % », « {number} mois »).")


def numbered(rows: Sequence[Sequence[Button]]) -> list[list[str]]:
    """The rows of buttons as `[n] Libellé` cells, numbered across rows."""
    number, lines = 0, []
    for row in rows:
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number}] {button.label}")
        lines.append(cells)
    return lines


def resolve(line: str, buttons: Sequence[Button]) -> Incoming:
    """A typed number or button label presses that button; anything else is text.

    When buttons offer numbers ("2 postes", "24 mois"), the question expects a number:
    a typed number is then the answer, and buttons are pressed by their label.
    """
    choice = line.strip()
    pressed = re.fullmatch(r"\[(\d{1,3})\]", choice)  # "[1]": the button, always
    if pressed and 1 <= int(pressed.group(1)) <= len(buttons):
        return Incoming.button(buttons[int(pressed.group(1)) - 1].payload)
    offers_numbers = any(b.label[:1].isdigit() for b in buttons)
    if choice.isdigit() and not offers_numbers and 1 <= int(choice) <= len(buttons):
        return Incoming.button(buttons[int(choice) - 1].payload)
    wanted = normalize(choice)
    for button in buttons:
        if wanted and normalize(button.label) == wanted:
            return Incoming.button(button.payload)
    return Incoming.text(line)


def ambiguous(line: str, buttons: Sequence[Button]) -> str | None:
    """A number typed where the buttons offer values ("36,5 %", "35 %"), that is also
    the number of a value button showing another figure: which one is meant is asked
    (the question that follows says how to type each)."""
    choice = line.strip()
    offers_numbers = any(b.label[:1].isdigit() for b in buttons)
    if not offers_numbers or not choice.isdigit() or not 1 <= int(choice) <= len(buttons):
        return None  # no value on the buttons: a number presses one (see resolve)
    button = buttons[int(choice) - 1]
    flow = FlowButton.unpack(button.payload)
    if flow is None or not (flow.code in ("k", "d") or flow.code.startswith("s")):
        return None  # not a value: "3" at the posts question is 3 posts
    shown = re.match(r"\d+", button.label)
    if shown is not None and shown.group() == choice:
        return None  # button 1 says "1 poste": the same answer either way
    return AMBIGUOUS.format(number=choice, label=button.label)
