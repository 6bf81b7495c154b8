"""Conversation around the questions: small talk, typed picks of a suggestion, two questions
in one message. Pure: the words come from knowledge/petite_conversation.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz.distance import Levenshtein

from bot.core.text import normalize, strip_accents

Phrase = tuple[str, ...]
LAST = -1          # a pick of the last suggestion ("la dernière")
NONE = 0           # "none of these" ("non", "aucune")
FIRST = 1
QUESTION_WORDS = frozenset(
    "quoi quel quelle quels quelles comment pourquoi combien qui quand ou que qu est peut "
    "puis faut dois doit peuvent pouvons pouvez lequel laquelle y".split())
# Words that make a sentence ask, even with no question mark ("est" or "que" alone do not).
ASKING_WORDS = QUESTION_WORDS - {"est", "y", "qu", "que", "ou", "puis"}
LINKS = frozenset("et mais sinon aussi puis alors".split())   # may open a second question
_TOKEN = re.compile(r"[^\W_]+")
_CLAUSE_END = re.compile(r"([.!?;,\n…]+)")
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
_AND = re.compile(r"\s+et\s+", re.IGNORECASE)
MIN_QUESTION_WORDS = 3
MAX_QUESTIONS = 3
MAX_REMEMBERED = 2 ** 12   # words whose look-up a lexicon keeps


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
    lexicons: dict[str, Lexicon] = field(default_factory=dict, compare=False, hash=False,
                                         repr=False)   # built on first use

    def intent(self, intent_id: str) -> Intent:
        return next(i for i in self.intents if i.id == intent_id)

    def lexicon(self, name: str) -> Lexicon:
        """The phrases of "small_talk" (with courtesy), "opening" or "picks", indexed."""
        if name not in self.lexicons:
            labelled: list[tuple[Phrase, str | None]] = []
            if name == "small_talk":
                labelled += [(p, i.id) for i in self.intents for p in i.phrases]
                labelled += [(p, None) for p in self.courtesy]
            elif name == "opening":
                labelled += [(p, i.id) for i in self.intents for p in i.accompanies]
            else:
                picks = self.picks
                labelled += [(p, f"r{rank}") for rank, forms in picks.ranks for p in forms]
                labelled += [(p, "yes") for p in picks.yes] + [(p, "no") for p in picks.no]
                labelled += [(p, None) for p in picks.fillers]
            self.lexicons[name] = Lexicon(labelled)
        return self.lexicons[name]


class Lexicon:
    """Labelled phrases indexed by their first word, and the typo-tolerant look-up of a word
    (remembered: the same words come back)."""

    def __init__(self, labelled: Sequence[tuple[Phrase, str | None]]) -> None:
        self.by_first: dict[str, list[tuple[Phrase, str | None]]] = {}
        for phrase, label in sorted(labelled, key=lambda item: -len(item[0])):
            self.by_first.setdefault(phrase[0], []).append((phrase, label))
        self.words = {word for phrase, _ in labelled for word in phrase}
        self.near: dict[str, list[str]] = {}
        for word in self.words:
            if len(word) >= 5:
                self.near.setdefault(word[0], []).append(word)
        self.seen: dict[str, frozenset[str]] = {}

    def matches(self, token: str) -> frozenset[str]:
        """The known words `token` may be (itself, or one typo away)."""
        found = self.seen.get(token)
        if found is None:
            found = frozenset(w for w in self.near.get(token[:1], ()) if same_word(token, w))
            found |= {token} & self.words
            if len(self.seen) < MAX_REMEMBERED:
                self.seen[token] = found
        return found

    def starting(self, token: str) -> list[tuple[Phrase, str | None]]:
        """Phrases that may start at `token`, longest first."""
        found = [item for word in self.matches(token) for item in self.by_first.get(word, ())]
        return sorted(found, key=lambda item: -len(item[0]))

    def fits(self, tokens: Sequence[str], phrase: Phrase) -> bool:
        """Do `tokens` say `phrase` (as many words)?"""
        return len(tokens) == len(phrase) and all(
            w in self.matches(t) for t, w in zip(tokens, phrase, strict=True))


@dataclass(frozen=True, slots=True)
class Message:
    """A message read: its small talk (intent ids, in order) and its questions."""

    small_talk: tuple[str, ...]
    questions: tuple[str, ...]


def cover(tokens: Sequence[str], lexicon: Lexicon) -> list[str] | None:
    """The labels of phrases that cover all `tokens` (None-labelled phrases are fillers),
    at least one and as few as possible; None when the tokens cannot be covered so."""
    size = len(tokens)
    if not all(lexicon.matches(token) for token in tokens):
        return None                                # a word no phrase has: not covered
    fillers_only = [False] * size + [True]         # the rest is nothing but fillers
    best: list[list[str] | None] = [None] * (size + 1)
    for start in range(size - 1, -1, -1):
        for phrase, label in lexicon.starting(tokens[start]):
            end = start + len(phrase)
            if end > size or not lexicon.fits(tokens[start:end], phrase):
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


def _peel(tokens: Phrase, talk: Talk) -> tuple[list[str], int, int, list[str]]:
    """Small talk opening and closing a sentence that holds a question: its intents, and
    where the question starts and ends among `tokens`."""
    lexicon = talk.lexicon("opening")
    head: list[str] = []
    tail: list[str] = []
    start, end = 0, len(tokens)
    found = True
    while found and end - start > 1:
        found = False
        for phrase, intent_id in lexicon.starting(tokens[start]):
            n = len(phrase)
            if end - start > n and lexicon.fits(tokens[start:start + n], phrase):
                head.append(intent_id)
                start, found = start + n, True
                break
        else:
            for n in sorted({len(p) for items in lexicon.by_first.values() for p, _ in items},
                            reverse=True):
                if end - start <= n:
                    continue
                ending = tokens[end - n:end]
                intent_id = next((label for p, label in lexicon.starting(ending[0])
                                  if lexicon.fits(ending, p)), None)
                if intent_id:
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
        said = words(clause)
        whole = cover(said, talk.lexicon("small_talk")) if said else None
        if whole:
            intents += whole
        elif said or kept:
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
    """Questions separated by "?" when each stands alone: words enough, and the next one
    opens like a question ("Et qui paie la formation ?"); otherwise a piece completes the one
    before ("Combien ? Pour 2 postes ?", "quoi fournir ? ordi, bureau ?")."""
    pieces = [p.strip() for p in re.split(r"(?<=\?)", text) if p.strip()]
    parts: list[str] = []
    for piece in pieces:
        short = min(_size(parts[-1]) if parts else MIN_QUESTION_WORDS, _size(piece))
        if parts and (short < MIN_QUESTION_WORDS or not opens_question(piece)):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    if len(parts) > MAX_QUESTIONS:
        return [text.strip()] if text.strip() else []
    return parts


def opens_question(text: str) -> bool:
    """Does `text` open like a question ("et qui…", "c'est quoi…", "peut-on…")?"""
    found = normalize(text).split()
    while found[:1] and found[0] in LINKS:
        found = found[1:]
    return bool(found) and (found[0] in QUESTION_WORDS or found[:2] == ["c", "est"])


def question_sentences(text: str) -> str:
    """The sentences of a text that ask something ("Bonjour, je suis… . Est-ce que… ?")."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s]
    asked = [s for s in sentences if "?" in s]
    return " ".join(asked) if asked and len(asked) < len(sentences) else text


def asks(text: str) -> bool:
    """Does this text ask something: a question mark, a question word, "est-ce"?"""
    said = words(text)
    return "?" in text or bool(ASKING_WORDS.intersection(said)) or \
        ("est", "ce") in pairwise(said)


def _size(question: str) -> int:
    """Words of a question, an opening "et" left out ("et à qui ?" is short)."""
    found = normalize(question).split()
    return len(found) - (found[:1] == ["et"])


def and_split(text: str) -> tuple[str, str] | None:
    """The two halves around " et " when the second opens a new question ("… et c'est quoi
    le CCP1 ?"); None otherwise. The caller checks that both halves are answered."""
    for match in _AND.finditer(text):
        left, right = text[:match.start()].strip(), text[match.end():].strip()
        if len(normalize(left).split()) >= 2 and len(normalize(right).split()) >= 2 and \
                opens_question(right):
            return left, right
    return None


def pick(text: str, talk: Talk) -> int | None:
    """A typed pick of a suggestion: its rank (1…, LAST), NONE for "none of these", FIRST
    for "oui"; None when the text is not a pick."""
    labels = cover(words(text), talk.lexicon("picks"))
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
