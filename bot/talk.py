"""Conversation around the questions: small talk, typed picks of a suggestion, two questions
in one message. Pure: the words come from knowledge/petite_conversation.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from bot.text import normalize, strip_accents

Phrase = tuple[str, ...]
LAST = -1          # a pick of the last suggestion ("la dernière")
NONE = 0           # "none of these" ("non", "aucune")
FIRST = 1
QUESTION_WORDS = frozenset(
    "quoi quel quelle quels quelles comment pourquoi combien qui quand ou que qu est peut "
    "puis faut dois doit peuvent pouvons pouvez lequel laquelle y a".split())
_TOKEN = re.compile(r"[^\W_]+")
_CLAUSE_END = re.compile(r"([.!?;,\n…]+)")
_AND = re.compile(r"\s+et\s+", re.IGNORECASE)
MIN_QUESTION_WORDS = 3
MAX_QUESTIONS = 3


def words(text: str) -> Phrase:
    """Lower-case, accent-free words ("D'accord !" → ("d", "accord"))."""
    return tuple(strip_accents(m.group().lower()) for m in _TOKEN.finditer(text))


def phrases(raw: Iterable[str]) -> tuple[Phrase, ...]:
    """Phrases written in the YAML, as words."""
    return tuple(p for p in (words(text) for text in raw) if p)


def same_word(typed: str, known: str) -> bool:
    """Equal, or one typo away for words of 5 letters or more (two from 8), same first letter."""
    if typed == known:
        return True
    if len(known) < 5 or not typed or typed[0] != known[0]:
        return False
    return Levenshtein.distance(typed, known, score_cutoff=2) <= (2 if len(known) >= 8 else 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Intent:
    """A kind of small talk: its phrases and what the assistant answers."""

    id: str
    phrases: tuple[Phrase, ...]
    reply: str | None = None         # HTML-safe
    prefix: str | None = None        # said before the answer when a question comes with it
    command: str | None = None       # "aide" or "menu": that command's reply
    accompanies: tuple[Phrase, ...] = ()  # may open or close a question in one sentence


@dataclass(frozen=True, slots=True, kw_only=True)
class Picks:
    """How a suggestion is picked by typing: "oui", "la 2", "la dernière", "aucune"."""

    minutes: int = 15
    yes: tuple[Phrase, ...] = ()
    no: tuple[Phrase, ...] = ()
    ranks: tuple[tuple[int, tuple[Phrase, ...]], ...] = ()
    fillers: tuple[Phrase, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Talk:
    """The small-talk content: intents in priority order, courtesy words, picks."""

    intents: tuple[Intent, ...] = ()
    courtesy: tuple[Phrase, ...] = ()
    picks: Picks = field(default_factory=Picks)

    def intent(self, intent_id: str) -> Intent:
        return next(i for i in self.intents if i.id == intent_id)


@dataclass(frozen=True, slots=True)
class Message:
    """A message read: its small talk (intent ids, in order) and its questions."""

    small_talk: tuple[str, ...]
    questions: tuple[str, ...]


def cover(tokens: Sequence[str], labelled: Sequence[tuple[Phrase, str | None]]) -> \
        list[str] | None:
    """The labels of phrases that cover all `tokens` (None-labelled phrases are fillers),
    at least one and as few as possible; None when the tokens cannot be covered so."""
    size = len(tokens)
    fillers_only = [False] * size + [True]         # the rest is nothing but fillers
    best: list[list[str] | None] = [None] * (size + 1)
    for start in range(size - 1, -1, -1):
        for phrase, label in labelled:
            end = start + len(phrase)
            if end > size or not all(same_word(t, w) for t, w in
                                     zip(tokens[start:end], phrase, strict=True)):
                continue
            if label is None:
                fillers_only[start] = fillers_only[start] or fillers_only[end]
                candidate = best[end]
            else:
                candidate = [label] if fillers_only[end] else \
                    [label, *best[end]] if best[end] is not None else None
            current = best[start]
            if candidate is not None and (current is None or len(candidate) < len(current)):
                best[start] = candidate
    return best[0]


def _intent_phrases(talk: Talk, with_courtesy: bool) -> list[tuple[Phrase, str | None]]:
    labelled: list[tuple[Phrase, str | None]] = [
        (phrase, intent.id) for intent in talk.intents for phrase in intent.phrases]
    if with_courtesy:
        labelled += [(phrase, None) for phrase in talk.courtesy]
    return sorted(labelled, key=lambda item: -len(item[0]))


def small_talk_of(text: str, talk: Talk) -> list[str] | None:
    """The intents of a text that is wholly small talk, else None."""
    labels = cover(words(text), _intent_phrases(talk, with_courtesy=True))
    return labels or None


def _peel(tokens: Phrase, talk: Talk) -> tuple[list[str], int, int, list[str]]:
    """Small talk opening and closing a sentence that holds a question: its intents, and
    where the question starts and ends among `tokens`."""
    labelled = sorted(((p, i.id) for i in talk.intents for p in i.accompanies),
                      key=lambda item: -len(item[0]))
    head: list[str] = []
    tail: list[str] = []
    start, end = 0, len(tokens)
    found = True
    while found:
        found = False
        for phrase, intent_id in labelled:
            n = len(phrase)
            if end - start <= n:
                continue
            if all(same_word(t, w) for t, w in zip(tokens[start:start + n], phrase,
                                                           strict=True)):
                head.append(intent_id)
                start, found = start + n, True
                break
            if all(same_word(t, w) for t, w in zip(tokens[end - n:end], phrase,
                                                           strict=True)):
                tail.insert(0, intent_id)
                end, found = end - n, True
                break
    return head, start, end, tail


def read(text: str, talk: Talk) -> Message:
    """Split a message into its small talk and its questions (at most three)."""
    pieces = _CLAUSE_END.split(text)
    intents: list[str] = []
    kept: list[str] = []
    for index in range(0, len(pieces), 2):
        clause, end = pieces[index], pieces[index + 1] if index + 1 < len(pieces) else ""
        whole = small_talk_of(clause, talk) if words(clause) else None
        if whole is not None:
            intents += whole
        elif words(clause) or kept:
            kept.append(clause + end)
    rest = "".join(kept).strip()
    spans = [m.span() for m in _TOKEN.finditer(rest)]
    head, start, stop, tail = _peel(words(rest), talk)
    if spans and (head or tail):
        closing = " ?" if tail and "?" in rest[spans[stop - 1][1]:] else ""
        end = spans[stop - 1][1] if tail else len(rest)
        rest = rest[spans[start][0]:end].strip() + closing
    return Message((*head, *intents, *tail), tuple(split_questions(rest)))


def split_questions(text: str) -> list[str]:
    """Questions separated by "?" when each has words enough to stand alone; a short piece
    ("combien ?") joins its neighbour."""
    pieces = [p.strip() for p in re.split(r"(?<=\?)", text) if p.strip()]
    parts: list[str] = []
    for piece in pieces:
        short = min(_size(parts[-1]) if parts else MIN_QUESTION_WORDS, _size(piece))
        if parts and short < MIN_QUESTION_WORDS:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    if len(parts) > MAX_QUESTIONS:
        return [text.strip()] if text.strip() else []
    return parts


def _size(question: str) -> int:
    """Words of a question, an opening "et" left out ("et à qui ?" is short)."""
    found = normalize(question).split()
    return len(found) - (found[:1] == ["et"])


def and_split(text: str) -> tuple[str, str] | None:
    """The two halves around " et " when the second opens a new question ("… et c'est quoi
    le CCP1 ?"); None otherwise. The caller checks that both halves are answered."""
    for match in _AND.finditer(text):
        left, right = text[:match.start()].strip(), text[match.end():].strip()
        right_words = normalize(right).split()
        if len(normalize(left).split()) < 2 or len(right_words) < 2:
            continue
        if right_words[0] in QUESTION_WORDS or right_words[:3] == ["c", "est", "quoi"] or \
                right_words[:2] == ["c", "est"]:
            return left, right
    return None


def pick(text: str, picks: Picks) -> int | None:
    """A typed pick of a suggestion: its rank (1…, LAST), NONE for "none of these", FIRST
    for "oui"; None when the text is not a pick."""
    labelled: list[tuple[Phrase, str | None]] = []
    labelled += [(p, f"r{rank}") for rank, forms in picks.ranks for p in forms]
    labelled += [(p, "yes") for p in picks.yes] + [(p, "no") for p in picks.no]
    labelled += [(p, None) for p in picks.fillers]
    labelled.sort(key=lambda item: -len(item[0]))
    labels = cover(words(text), labelled)
    if not labels:
        return None
    ranks = {int(label[1:]) for label in labels if label.startswith("r")}
    if len(ranks) > 1:
        return None
    if ranks:
        return ranks.pop()
    if "no" in labels:
        return None if "yes" in labels else NONE
    return FIRST if "yes" in labels else None


def reply_of(intents: Sequence[str], talk: Talk) -> tuple[Intent, str]:
    """The intent that answers a message of small talk only (the last in the content's
    order), and the prefixes of the others."""
    order = [i.id for i in talk.intents]
    main = talk.intent(max(intents, key=order.index))
    return main, prefix_of([i for i in intents if i != main.id], talk)


def prefix_of(intents: Sequence[str], talk: Talk) -> str:
    """The prefixes ("Bonjour !") of small talk that came with a question, once each."""
    seen: list[str] = []
    for intent_id in intents:
        prefix = talk.intent(intent_id).prefix
        if prefix and prefix not in seen:
            seen.append(prefix)
    return " ".join(seen)
