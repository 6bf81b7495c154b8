"""Flows as the code sees them: typed steps in English, whatever the YAML calls them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, cast

from bot.programme.flowrules import ActionSpec, Kind, RuleSpec

PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z0-9_]+))?\}")  # {answer}, {parametres.x}
PARAMS_NAMESPACE = "parametres"


class StepKind(StrEnum):
    """What a step does (the YAML's « type »: choix, entier… — see bot/dialogue/loader.py)."""

    CHOICE = "choice"
    INT = "int"
    EUROS = "euros"
    PERCENT = "percent"
    DATE = "date"
    MESSAGE = "message"
    COMPUTE = "compute"
    RECAP = "recap"


ASKING = frozenset({StepKind.CHOICE, StepKind.INT, StepKind.EUROS, StepKind.PERCENT,
                    StepKind.DATE})


class Operator(StrEnum):
    """How a condition compares an answer (the YAML's egal, dans, au_moins…)."""

    EQUAL = "equal"
    NOT_EQUAL = "not_equal"
    IN = "in"
    NOT_IN = "not_in"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    MORE_THAN = "more_than"
    LESS_THAN = "less_than"


NEGATIVE = frozenset({Operator.NOT_EQUAL, Operator.NOT_IN})  # hold when the answer is unknown
ORDERING = frozenset({Operator.AT_LEAST, Operator.AT_MOST, Operator.MORE_THAN,
                      Operator.LESS_THAN})


@dataclass(frozen=True, slots=True)
class Ref:
    """A value written in a flow: a literal, a parameter, or an earlier answer or result."""

    source: Literal["literal", "param", "name"]
    value: Any


@dataclass(frozen=True, slots=True)
class Test:
    """One declarative test on an earlier answer or result (`name op operand`)."""

    name: str
    op: Operator
    operand: Ref | tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Branch:
    """Go to `target` when every test holds (no tests: always)."""

    tests: tuple[Test, ...]
    target: str


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of text, shown when every test holds."""

    text: str
    tests: tuple[Test, ...] = ()


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered as a button: the stored value, what the button says, and the words
    people type for it besides the label (« mots »)."""

    value: str
    label: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One step of a flow: ask (choice or typed value), say, compute, or recap."""

    id: str
    kind: StepKind
    line: int
    label: str = ""
    text: tuple[Part, ...] = ()
    help: tuple[Part, ...] = ()
    options: tuple[Option, ...] = ()
    minimum: Ref | None = None
    maximum: Ref | None = None
    default: Ref | None = None
    default_words: tuple[str, ...] = ()  # typed words that mean the default (« mots_defaut »)
    suggestions: tuple[Ref, ...] = ()
    unit: tuple[str, str] | None = None
    rule: RuleSpec | None = None
    next: tuple[Branch, ...] = ()
    sources: tuple[str, ...] = ()
    skip_known: bool = False            # asked only when no answer is known yet (prefill)
    latest_if_yearless: bool = False    # a date typed without a year: the latest one up to
    #                                     today (else refused)
    action: ActionSpec | None = None    # recap: what its confirm button does
    action_label: str = ""
    documents: tuple[str, ...] = ()     # recap: files offered (see bot/documents/files.py)

    @property
    def asks(self) -> bool:
        return self.kind in ASKING

    @property
    def terminal(self) -> bool:
        return self.kind is StepKind.RECAP

    @property
    def value_kind(self) -> Kind:
        return cast(Kind, self.kind.value)

    def option(self, value: object) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """A validated flow: its steps by id (in file order) and the kind of every named value."""

    id: str
    version: int
    title: str
    first: str
    steps: dict[str, Step]
    kinds: dict[str, Kind]
    file: str
    help: str = ""  # its line in /aide and the command menu (« aide »); else the title

    def step_at(self, index: int) -> Step | None:
        order = list(self.steps)
        return self.steps[order[index]] if 0 <= index < len(order) else None

    def index(self, step_id: str) -> int:
        return list(self.steps).index(step_id)

    def step_of(self, name: str) -> Step | None:
        """The asking step whose answer is `name`, if any."""
        step = self.steps.get(name)
        return step if step is not None and step.asks else None
