"""FAQ matching: typo-tolerant, accent-free scoring of a question against every phrasing."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from bot.faq import FaqEntry
from bot.text import normalize

STOPWORDS = frozenset("""
a ai au aux avec avez avons c ca ce ces cet cette d dans de des du elle elles en est et etc
etre eu il ils j je l la le les leur leurs lui m ma mais me mes moi mon n ne nos notre nous
on ont ou par pas peu peut qu que quel quelle quelles quels qui s sa se ses si son sont sur
t ta te tes ton tu un une vos votre vous y 1 bonjour salut svp merci oui non alors donc bien
tres plus moins faut faire fait dois doit doivent peuvent puis pouvons pouvez veux voudrais
voudrions aimerais savoir dire question est-ce il y quoi comment
""".split())

STEM_LENGTH = 6
Band = Literal["answer", "suggest", "fallback"]


def stem(word: str) -> str:
    """Crude French stem: plural marks off, then the first letters."""
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    return word[:STEM_LENGTH]


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """An entry and how well it matches the question (0–100)."""

    entry: FaqEntry
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """Result of matching: the band and up to three candidates, best first."""

    band: Band
    candidates: tuple[Candidate, ...]
    normalized: str

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    """Score bands: answer from `answer` with a lead of `margin`; suggest from `suggest`."""

    answer: float = 72.0
    margin: float = 6.0
    suggest: float = 45.0


class FaqMatcher:
    """Scores a question against all phrasings with IDF-weighted word overlap and fuzzy ratio."""

    def __init__(self, entries: Iterable[FaqEntry], thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self.entries: list[FaqEntry] = list(entries)
        self._owner: list[int] = []            # phrasing index → entry index
        self._texts: list[str] = []            # content words of each phrasing, joined
        self._stems: list[frozenset[str]] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        entry_stems: list[set[str]] = []
        for entry_index, entry in enumerate(self.entries):
            all_stems: set[str] = set()
            for phrasing in entry.phrasings:
                words = content_words(normalize(phrasing))
                stems = frozenset(stem(w) for w in words)
                index = len(self._texts)
                self._owner.append(entry_index)
                self._texts.append(" ".join(words))
                self._stems.append(stems)
                for s in stems:
                    self._postings[s].append(index)
                all_stems |= stems
            entry_stems.append(all_stems)
        self.vocabulary = sorted({w for t in self._texts for w in t.split()})
        self._stem_set = frozenset(self._postings)
        document_frequency: dict[str, int] = defaultdict(int)
        for stems in entry_stems:
            for s in stems:
                document_frequency[s] += 1
        total = max(len(self.entries), 1)
        self.idf = {s: math.log(1 + total / df) for s, df in document_frequency.items()}
        self._unknown_idf = math.log(1 + total)
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)

    def clear_cache(self) -> None:
        """Forget remembered typo corrections."""
        self._correct.cache_clear()

    def _correct_uncached(self, word: str) -> str:
        """The vocabulary word closest to an unknown word, if close enough (typos)."""
        if len(word) < 4 or word.isdigit():
            return word
        found = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=80)
        return found[0] if found else word

    def query_stems(self, normalized: str) -> tuple[list[str], list[str]]:
        """Content words of a normalised question (typos corrected) and their stems."""
        words = []
        for word in content_words(normalized):
            if stem(word) not in self._stem_set:
                word = self._correct(word)
            words.append(word)
        return words, [stem(w) for w in words]

    def match(self, question: str) -> Match:
        """Score the question and place it in a band."""
        normalized = normalize(question)
        words, stems = self.query_stems(normalized)
        unique = list(dict.fromkeys(stems))
        if not unique:
            return Match(band="fallback", candidates=(), normalized=normalized)
        weights = {s: self.idf.get(s, self._unknown_idf) for s in unique}
        query_weight = sum(weights.values())
        overlap: dict[int, float] = defaultdict(float)
        for s in unique:
            if s in self.idf:
                for index in self._postings[s]:
                    overlap[index] += weights[s]
        query_text = " ".join(words)
        best_by_entry: dict[int, float] = {}
        for index, shared in overlap.items():
            phrasing_weight = sum(self.idf[s] for s in self._stems[index])
            recall = shared / query_weight
            precision = shared / phrasing_weight if phrasing_weight else 0.0
            ratio = fuzz.token_set_ratio(query_text, self._texts[index]) / 100
            score = 100 * (0.55 * recall + 0.20 * precision + 0.25 * ratio)
            entry_index = self._owner[index]
            if score > best_by_entry.get(entry_index, 0.0):
                best_by_entry[entry_index] = score
        ranked = sorted(best_by_entry.items(), key=lambda item: -item[1])[:3]
        candidates = tuple(Candidate(entry=self.entries[i], score=round(s, 1))
                           for i, s in ranked)
        return Match(band=self._band(candidates), candidates=candidates, normalized=normalized)

    def _band(self, candidates: tuple[Candidate, ...]) -> Band:
        if not candidates or candidates[0].score < self.thresholds.suggest:
            return "fallback"
        lead = candidates[0].score - (candidates[1].score if len(candidates) > 1 else 0.0)
        if candidates[0].score >= self.thresholds.answer and lead >= self.thresholds.margin:
            return "answer"
        return "suggest"


def content_words(normalized: str) -> list[str]:
    """Words that carry meaning (stop words removed)."""
    return [w for w in normalized.split() if w not in STOPWORDS]
