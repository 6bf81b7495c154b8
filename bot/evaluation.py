"""Measuring FAQ answers against an evaluation set (tests/data/questions.yaml)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

COMPUTE = "calcul"
OUT_OF_SCOPE = "hors_sujet"


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """A question and what should answer it: FAQ ids, a computation, or nothing."""

    question: str
    expected: tuple[str, ...]

    @property
    def out_of_scope(self) -> bool:
        return self.expected == (OUT_OF_SCOPE,)


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What the assistant did with one question."""

    kind: str            # faq, compute, suggest, fallback
    top: str | None      # best FAQ id, or "calcul" for a computation


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Figures over an evaluation set."""

    in_scope: int
    top1: int                       # best candidate (or computation) is right
    answered_right: int             # confident answer, and right
    answered_wrong: int             # confident answer, but wrong
    suggested: int                  # "Vouliez-vous dire" shown
    out_of_scope: int
    out_of_scope_confident: int     # out-of-scope questions that got a confident answer
    failures: tuple[tuple[str, str, str], ...]   # question, expected, got

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.in_scope if self.in_scope else 0.0

    @property
    def suggestion_rate(self) -> float:
        return self.suggested / self.in_scope if self.in_scope else 0.0

    @property
    def out_of_scope_precision(self) -> float:
        """Share of out-of-scope questions that did not get a confident answer."""
        if not self.out_of_scope:
            return 1.0
        return 1 - self.out_of_scope_confident / self.out_of_scope


def outcome_of(answer: Any) -> Outcome:
    """The outcome of an engine Answer: its kind and best entry (or "calcul")."""
    if answer.kind == "compute":
        return Outcome(kind="compute", top=COMPUTE)
    best = answer.match.best if answer.match else None
    return Outcome(kind=answer.kind, top=best.entry.id if best else None)


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for item in data["questions"]:
        expected = item["attendu"]
        expected = tuple(expected) if isinstance(expected, list) else (expected,)
        cases.append(Case(question=str(item["q"]), expected=expected))
    return cases


def evaluate(cases: Iterable[Case], answer: Callable[[str], Outcome]) -> Report:
    """Run every case through `answer` and count."""
    in_scope = top1 = right = wrong = suggested = oos = oos_confident = 0
    failures = []
    for case in cases:
        outcome = answer(case.question)
        confident = outcome.kind in ("faq", "compute")
        if case.out_of_scope:
            oos += 1
            if confident:
                oos_confident += 1
                failures.append((case.question, OUT_OF_SCOPE, f"{outcome.kind}:{outcome.top}"))
            continue
        in_scope += 1
        good = outcome.top in case.expected
        top1 += good
        suggested += outcome.kind == "suggest"
        if confident:
            right += good
            wrong += not good
        if not good or not confident:
            failures.append((case.question, "|".join(case.expected),
                             f"{outcome.kind}:{outcome.top}"))
    return Report(in_scope=in_scope, top1=top1, answered_right=right, answered_wrong=wrong,
                  suggested=suggested, out_of_scope=oos, out_of_scope_confident=oos_confident,
                  failures=tuple(failures))
