"""The knowledge base as a whole: AMI coverage, sources, and no programme figure in code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.content.loader import Content
from bot.core.config import ROOT
from tests.support.chat import KNOWLEDGE

MAX_ANSWER_LINES = 6
# Numbers in code that equal a programme figure by coincidence, and are not one.
NOT_PROGRAMME_FIGURES = ("MAX_MESSAGE_LENGTH = 4000",)


def test_every_statement_of_the_ami_is_answered(content: Content) -> None:
    ami = (KNOWLEDGE / "sources" / "ami-2020.txt").read_text(encoding="utf-8")
    coverage = yaml.safe_load((KNOWLEDGE / "sources" / "ami-2020-couverture.yaml")
                              .read_text(encoding="utf-8"))
    assert len(coverage) >= 25
    for item in coverage:
        assert item["extrait"] in ami, item["extrait"]
        assert item["entrees"], item["extrait"]
        for entry_id in item["entrees"]:
            assert entry_id in content.faq, entry_id


def test_faq_size_and_phrasings(content: Content) -> None:
    assert len(content.faq) >= 60
    for entry in content.faq.values():
        assert len(entry.variants) >= 3, entry.id
        assert entry.sources, entry.id


def test_answers_are_short(content: Content) -> None:
    for entry in content.faq.values():
        text = entry.answer.split("\n\n<i>Source")[0]
        assert len([line for line in text.splitlines() if line.strip()]) <= MAX_ANSWER_LINES, \
            entry.id


def test_uncertain_facts_are_said_uncertain(content: Content) -> None:
    uncertain = [e for e in content.faq.values() if e.uncertain]
    assert uncertain
    for entry in uncertain:
        assert "à confirmer" in entry.answer, entry.id


def test_code_holds_no_figure_of_the_programme(content: Content) -> None:
    figures = set()  # distinctive figures: amounts from 10 000 € or with cents, counts from 1 000
    for param in content.params.by_id.values():
        for _, value in param.series:
            if isinstance(value, int | float) and (
                    (param.unit == "euros" and (value >= 10_000 or value != int(value)))
                    or (param.unit == "nombre" and value >= 1000)):
                figures.add(value)
    literal = re.compile(r"(?<![\w.])(\d[\d_]*(?:\.\d+)?)(?![\w.])")
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if any(allowed in code for allowed in NOT_PROGRAMME_FIGURES):
                continue
            for match in literal.finditer(code):
                value = float(match.group(1).replace("_", ""))
                if value in figures:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {match.group(1)}")
    assert offenders == []
