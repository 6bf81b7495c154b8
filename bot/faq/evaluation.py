"""Measuring free answers against an evaluation set (tests/data/: questions, dev, heldout)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.faq.followup import OVERSEAS

COMPUTE = "calcul"
OUT_OF_SCOPE = "hors_sujet"
NO_ENTRY = "aucune"
CaseKind = Literal["faq", "compute", "out_of_scope", "smalltalk"]
Verdict = Literal["right", "wrong", "suggestion_right", "suggestion_wrong", "fallback"]
CONFIDENT = frozenset({"faq", "compute"})
TERRITORY_ALIASES = {"polynesie": "polynesie_francaise"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """A question and what should answer it: FAQ ids, a computation, small talk, or nothing."""

    question: str
    kind: CaseKind
    expected: tuple[str, ...] = ()           # FAQ ids that answer it right
    second: tuple[str, ...] = ()             # a second question in the same message: its ids
    slots: Mapping[str, Any] | None = None   # for a computation: postes, territoire, structure

    @property
    def out_of_scope(self) -> bool:
        return self.kind == "out_of_scope"


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What the assistant did with one question."""

    kind: str                                # faq, compute, suggest, fallback, smalltalk…
    top: str | None                          # best FAQ id, or "calcul" for a computation
    suggestions: tuple[str, ...] = ()        # FAQ ids offered under "Vouliez-vous dire"
    slots: Mapping[str, Any] | None = None   # what a computation understood
    then: Outcome | None = None              # the answer to a second question of the message


@dataclass(slots=True)
class Tally:
    """Verdicts of the cases of one kind."""

    verdicts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.verdicts.values())

    def rate(self, verdict: str) -> float:
        return self.verdicts[verdict] / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Figures over an evaluation set: verdicts per kind of case, and the misses."""

    tallies: Mapping[str, Tally]
    failures: tuple[tuple[str, str, str], ...]   # question, expected, got
    top_right: int = 0  # in-scope cases whose best candidate is right, whatever its band

    def in_scope(self) -> Tally:
        """FAQ and computation cases together."""
        merged = Tally()
        for kind in ("faq", "compute"):
            merged.verdicts.update(self.tallies[kind].verdicts)
        return merged

    @property
    def out_of_scope_confident(self) -> int:
        return self.tallies["out_of_scope"].verdicts["wrong"]

    @property
    def top1_rate(self) -> float:
        """Best candidate right, whatever was done with it (answered, suggested, fallback)."""
        total = self.in_scope().total
        return self.top_right / total if total else 0.0


def outcome_of_reply(answers: list[Any]) -> Outcome:
    """The outcome of all the answers to one message (`Answerer.reply`)."""
    first = outcome_of(answers[0])
    if len(answers) > 1:
        return replace(first, then=outcome_of(answers[1]))
    return first


def outcome_of(answer: Any) -> Outcome:
    """The outcome of an engine Answer: its kind, best entry (or "calcul"), suggestions."""
    if answer.kind == "compute":
        return Outcome(kind="compute", top=COMPUTE, slots=slots_of(answer.request))
    best = answer.match.best if answer.match else None
    top = answer.entry_id or (best.entry.id if best else None)
    return Outcome(kind=answer.kind, top=top,
                   suggestions=tuple(entry_id for entry_id, _ in answer.suggestions))


def slots_of(request: Any) -> dict[str, Any] | None:
    """A quick computation's request as evaluation slots."""
    if request is None:
        return None
    if request.overseas:
        territory = OVERSEAS
    else:
        territory = request.territories[0].id if len(request.territories) == 1 else None
    return {"postes": request.posts, "territoire": territory,
            "structure": "prive" if request.private else "public"}


def load_cases(path: Path) -> list[Case]:
    """Read an evaluation file; unlabelled entries (no « attendu ») are left out."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for item in data["questions"]:
        case = _case(item)
        if case is not None:
            cases.append(case)
    return cases


def _case(item: Mapping[str, Any]) -> Case | None:
    question = str(item["q"])
    if item.get("petite_conversation"):
        return Case(question=question, kind="smalltalk")
    if item.get(OUT_OF_SCOPE):
        return Case(question=question, kind="out_of_scope")
    expected = item.get("attendu")
    if expected is None and "calcul" not in item:
        return None
    if expected in (OUT_OF_SCOPE, NO_ENTRY):
        return Case(question=question, kind="out_of_scope")
    expected = tuple(expected) if isinstance(expected, list) else (expected,) \
        if expected else ()
    if isinstance(item.get("calcul"), dict):
        slots = dict(item["calcul"])
        if "territoire" in slots:
            slots["territoire"] = TERRITORY_ALIASES.get(slots["territoire"],
                                                        slots["territoire"])
        return Case(question=question, kind="compute", expected=expected, slots=slots)
    if COMPUTE in expected:
        return Case(question=question, kind="compute",
                    expected=tuple(e for e in expected if e != COMPUTE))
    second = item.get("attendu_2") or ()
    second = tuple(second) if isinstance(second, list | tuple) else (second,)
    return Case(question=question, kind="faq", expected=expected,
                second=tuple(e for e in second if e != NO_ENTRY))


def verdict(case: Case, outcome: Outcome) -> Verdict:
    """How one answer fares: right or wrong at once, a suggestion list, or the fallback."""
    confident = outcome.kind in CONFIDENT
    if case.kind in ("out_of_scope", "smalltalk"):
        if case.kind == "smalltalk" and outcome.kind == "smalltalk":
            return "right"
        return "wrong" if confident else "fallback"
    right = outcome.top in case.expected or (
        case.kind == "compute" and outcome.kind == "compute" and
        slots_agree(case.slots, outcome.slots))
    if case.second:  # two questions: both answered right, or one answered wrong, or half
        then = outcome.then
        then_confident = then is not None and then.kind in CONFIDENT
        if (confident and not right) or (then_confident and then.top not in case.second):
            return "wrong"
        return "right" if confident and then_confident else "fallback"
    if confident:
        return "right" if right else "wrong"
    if outcome.kind == "suggest":
        offered = outcome.suggestions or ((outcome.top,) if outcome.top else ())
        return "suggestion_right" if set(offered) & set(case.expected) else "suggestion_wrong"
    return "fallback"


def slots_agree(expected: Mapping[str, Any] | None, understood: Mapping[str, Any] | None
                ) -> bool:
    """A computation understood every slot the question gave, and assumed no other."""
    if understood is None:
        return False
    if expected is None:  # tuning cases only say "calcul"
        return True
    wanted = {"postes": 1, "territoire": "metropole", "structure": "public", **expected}
    return all(understood.get(key) == value for key, value in wanted.items())


def evaluate(cases: Iterable[Case], answer: Callable[[str], Outcome]) -> Report:
    """Run every case through `answer` and count the verdicts per kind of case."""
    tallies = {kind: Tally() for kind in ("faq", "compute", "out_of_scope", "smalltalk")}
    failures = []
    top_right = 0
    for case in cases:
        outcome = answer(case.question)
        result = verdict(case, outcome)
        tallies[case.kind].verdicts[result] += 1
        if case.kind in ("faq", "compute"):
            top_right += result == "right" or outcome.top in case.expected
        if result != "right" and not (case.kind == "out_of_scope" and result == "fallback"):
            expected = "|".join(case.expected) or case.kind
            if case.slots:
                expected += f" {dict(case.slots)}"
            got = f"{outcome.kind}:{outcome.top}"
            if outcome.slots:
                got += f" {dict(outcome.slots)}"
            failures.append((case.question, expected, got))
    return Report(tallies=tallies, failures=tuple(failures), top_right=top_right)
