"""Follow-up questions: what the conversation remembers of its last subject ("et pour une
association ?", "et en Guyane ?", "et pour 3 postes ?"), read and merged. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.core.memo import per_content
from bot.core.text import normalize
from bot.faq.quick import QuickRequest, supported
from bot.faq.talk import QUESTION_WORDS
from bot.programme.params import Parameters

Phrase = tuple[str, ...]
Known = tuple[str, str, Phrase]   # (slot, value, phrase) a follow-up may hold; a filler: no slot
SLOTS = ("postes", "territoire", "structure", "convention")
OVERSEAS = "outre_mer"            # the territory slot's value for all overseas territories
AMI_2020 = "ami_2020"             # the convention slot's values: the initial convention,
RENEWAL = "renouvellement"        # the 2023 renewal,
RENEWAL_BONUS = "renouvellement_qpv_zrr"  # and for the renewal with the QPV/ZRR bonus
MAX_BARE_POSTS = 100              # "et pour 3 ?": a bare number is a number of posts up to this
MAX_COMBINED_WORDS = 3            # "et pour la formation ?": words added to the last question


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """What is remembered (knowledge/petite_conversation.yaml, « suivi »), as normalised words."""

    minutes: int = 30
    slots: tuple[str, ...] = SLOTS
    starts: tuple[Phrase, ...] = ()
    fillers: tuple[Phrase, ...] = ()
    values: tuple[tuple[str, str, Phrase], ...] = ()   # (slot, value, phrase)
    posts: tuple[Phrase, ...] = ()


def phrases(raw: Sequence[str]) -> tuple[Phrase, ...]:
    """Phrases written in the YAML, normalised like the questions."""
    return tuple(p for p in (tuple(normalize(text).split()) for text in raw) if p)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """The last subject: an FAQ entry's question, or a computation's slots; and when."""

    kind: Literal["faq", "compute"]
    question: str
    at: dt.datetime
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Pending:
    """Suggestions the user may pick by typing ("la 2"): their record, entries, and when."""

    record: int
    entries: tuple[str, ...]
    at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What a conversation remembers between messages."""

    subject: Subject | None = None
    pending: Pending | None = None

    def fresh(self, now: dt.datetime, rules: Rules, pick_minutes: int) -> Context:
        """Only what has not expired at `now`."""
        subject, pending = self.subject, self.pending
        if subject and now - subject.at > dt.timedelta(minutes=rules.minutes):
            subject = None
        if pending and now - pending.at > dt.timedelta(minutes=pick_minutes):
            pending = None
        return Context(subject=subject, pending=pending)

    def to_json(self) -> dict[str, Any]:
        """The context as JSON values."""
        data: dict[str, Any] = {}
        if self.subject:
            data["subject"] = {"kind": self.subject.kind, "question": self.subject.question,
                               "at": self.subject.at.isoformat(), "slots": self.subject.slots}
        if self.pending:
            data["pending"] = {"record": self.pending.record,
                               "entries": list(self.pending.entries),
                               "at": self.pending.at.isoformat()}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Context:
        """A context read back (see `to_json`)."""
        subject = data.get("subject")
        pending = data.get("pending")
        return cls(
            subject=Subject(kind=subject["kind"], question=subject["question"],
                            at=dt.datetime.fromisoformat(subject["at"]),
                            slots=dict(subject["slots"])) if subject else None,
            pending=Pending(record=int(pending["record"]), entries=tuple(pending["entries"]),
                            at=dt.datetime.fromisoformat(pending["at"])) if pending else None)


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUp:
    """A message read as a follow-up: the slots it changes and its other words."""

    marked: bool                       # it opens with "et", "pareil"…
    slots: dict[str, Any]
    other: tuple[str, ...]             # words that are neither a slot nor a filler
    rest: str                          # the message without its opening "et"

    @property
    def slot_only(self) -> bool:
        return bool(self.slots) and not self.other


def _starts(tokens: list[str], phrase: Phrase) -> bool:
    return tuple(tokens[:len(phrase)]) == phrase


def read(text: str, rules: Rules, params: Parameters) -> FollowUp | None:
    """The follow-up in `text`, or None: it opens with a follow-up word, or holds nothing but
    slots ("en Guyane ?", "pour une asso ?")."""
    tokens = normalize(text).split()
    opening = max((p for p in rules.starts if _starts(tokens, p)), key=len, default=())
    marked = bool(opening)
    tokens = tokens[len(opening):]
    rest = " ".join(tokens)
    known = _known_phrases(rules, params)
    slots: dict[str, Any] = {}
    other: list[str] = []
    numbers: list[int] = []
    i = 0
    while i < len(tokens):
        unit = max((p for p in rules.posts if _starts(tokens[i + 1:], p)), key=len, default=())
        # "un conseiller" is an article, "un poste" or "2 conseillers" a number of posts
        if tokens[i].isdigit() and unit and (tokens[i] != "1" or unit[0].startswith("poste")):
            slots["postes"] = int(tokens[i])
            i += 1 + len(unit)
            continue
        found = next(((slot, value, phrase) for slot, value, phrase in known.get(tokens[i], ())
                      if _starts(tokens[i:], phrase)), None)
        if found:
            slot, value, phrase = found
            if slot == "territoire":
                slots[slot] = [*slots.get(slot, []), value]
            elif slot:
                slots[slot] = value
            i += len(phrase)
            continue
        if tokens[i].isdigit():
            numbers.append(int(tokens[i]))
        elif not marked:
            return None                       # "combien pour la piscine ?": a new question
        else:
            other.append(tokens[i])
        i += 1
    if marked and not slots and not other and len(numbers) == 1 and \
            0 < numbers[0] <= MAX_BARE_POSTS:
        slots["postes"] = numbers[0]          # "et pour 3 ?"
    slots = {k: v for k, v in slots.items() if k in rules.slots}
    if not marked and (other or not slots or QUESTION_WORDS.intersection(tokens)):
        return None                           # "combien pour 2 postes ?" is a new question
    return FollowUp(marked=marked, slots=slots, other=tuple(other), rest=rest)


@per_content
def _known_phrases(rules: Rules, params: Parameters) -> dict[str, tuple[Known, ...]]:
    """Every phrase a follow-up may hold (territories, slot values, fillers) by its first
    word, longest first; built once per content."""
    known: list[Known] = [
        ("territoire", t.id, tuple(normalize(word).split()))
        for t in params.territories.values() for word in (t.id.replace("_", " "), *t.words)]
    known += list(rules.values)
    known += [("", "", phrase) for phrase in rules.fillers]
    by_first: dict[str, list[Known]] = {}
    for item in sorted((k for k in known if k[2]), key=lambda k: -len(k[2])):
        by_first.setdefault(item[2][0], []).append(item)
    return {word: tuple(items) for word, items in by_first.items()}


def combined(subject: Subject, follow: FollowUp) -> str | None:
    """The last subject's question with the follow-up's words ("Quel est le montant de la
    subvention ?" + "pour une association"), when the follow-up is short enough to complete
    it and does not open a question of its own ("et qui paie la formation ?"); else None."""
    if not follow.slot_only and (len(follow.other) > MAX_COMBINED_WORDS or
                                 follow.rest.split()[:1] in [[w] for w in QUESTION_WORDS]):
        return None
    rest = f"{follow.rest} postes" if follow.rest.isdigit() else follow.rest   # "et pour 3 ?"
    return f"{subject.question} {rest}".strip()


def request_slots(request: QuickRequest) -> dict[str, Any]:
    """The slots of a computation's request (what a follow-up may change)."""
    return {
        "postes": request.posts if request.posts_given else None,
        "territoire": [OVERSEAS] if request.overseas else [t.id for t in request.territories],
        "structure": request.structure or ("prive" if request.private else None),
        "convention": (RENEWAL_BONUS if request.bonus else RENEWAL) if request.renewal
                      else None,
    }


def merge(previous: Mapping[str, Any], changes: Mapping[str, Any],
          remembered: Sequence[str]) -> dict[str, Any]:
    """The previous slots overridden by the follow-up's (only the remembered slots)."""
    merged = {k: v for k, v in previous.items() if k in remembered}
    merged.update({k: v for k, v in changes.items() if k in remembered})
    return merged


def build_request(slots: Mapping[str, Any], params: Parameters) -> QuickRequest | None:
    """The computation asked by merged slots; None when the sources give no such figure."""
    convention = slots.get("convention")
    if convention not in (None, AMI_2020, RENEWAL, RENEWAL_BONUS):
        return None
    where = slots.get("territoire") or []
    overseas = OVERSEAS in where
    if overseas:
        territories = tuple(t for t in params.territories.values() if t.overseas)
    else:
        territories = tuple(params.territories[t] for t in where if t in params.territories)
    if not territories:
        territories = tuple(t for t in params.territories.values() if not t.overseas)[:1]
    structure = slots.get("structure")
    posts = slots.get("postes")
    request = QuickRequest(posts=posts or 1, territories=territories, overseas=overseas,
                           private=structure == "prive", posts_given=posts is not None,
                           structure=structure, renewal=convention in (RENEWAL, RENEWAL_BONUS),
                           bonus=convention == RENEWAL_BONUS)
    return request if supported(request) else None
