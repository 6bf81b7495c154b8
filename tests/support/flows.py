"""Shared test helpers."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.cli import check
from bot.core.config import ROOT
from bot.programme.params import Parameters
from bot.programme.rules import (
    SimulationInput,
)
from tests.support.chat import KNOWLEDGE, Chat


def simulation(params: Parameters, **changes: object) -> SimulationInput:
    fields: dict[str, object] = {
        "posts": 1, "territory": params.territories["metropole"], "private": False,
        "convention": "ami_2020", "qpv_zrr": False, "start": dt.date(2021, 5, 1),
        "months": 24, "gross_salary": 0.0, "employer_rate": 36.5}
    fields.update(changes)
    return SimulationInput(**fields)  # type: ignore[arg-type]


VALID = """\
id: essai
version: 1
titre: Essai
premiere_etape: a
etapes:
  - id: a
    type: choix
    libelle: Réponse A
    question: Question A ?
    choix:
      - {valeur: oui, libelle: Oui}
      - {valeur: non, libelle: Non}
    suite:
      - si: {a: oui}
        aller: b
      - aller: fin
  - id: b
    type: entier
    libelle: Réponse B
    question: Combien ?
    min: 1
    suite: fin
  - id: fin
    type: recapitulatif
    texte: "Réponse {a}."
"""


def write(tmp_path: Path, text: str, name: str = "essai.yaml") -> Path:
    """A copy of the real flows (the menu starts some of them) plus this one."""
    folder = tmp_path / "flows"
    if not folder.exists():
        shutil.copytree(ROOT / "flows", folder)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


def problems(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    code = check(KNOWLEDGE, folder)
    lines = capsys.readouterr().out.splitlines()
    assert code == 1, lines
    return lines


def assert_reported(lines: list[str], where: str, *words: str) -> None:
    matching = [line for line in lines if line.startswith(where + ": ")]
    assert matching, (where, lines)
    assert any(all(w in line for w in words) for line in matching), (words, matching)


def assert_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, needle: str,
                   *words: str, occurrence: int = 1) -> None:
    """`text`, as essai.yaml, is refused with `words` on the line holding `needle`."""
    folder = write(tmp_path, text)
    assert_reported(problems(folder, capsys),
                    f"{folder / 'essai.yaml'}:{line_of(text, needle, occurrence)}", *words)


STEPS = [("postes", "say", "2"), ("territoire", "press", "Métropole (Hexagone et Corse)"),
         ("structure", "press", "Publique (collectivité, établissement public…)"),
         ("convention", "press", "Convention initiale (AMI 2020)"),
         ("debut", "say", "01/03/2021"), ("duree", "say", "24")]


async def to_step(chat: Chat, step: str) -> None:
    """Walk /simulation up to `step` with ordinary answers."""
    await chat.say("/simulation")
    for name, action, given in STEPS:
        if name == step:
            return
        await (chat.say(given) if action == "say" else chat.press(given))
