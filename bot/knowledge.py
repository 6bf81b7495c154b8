"""FAQ matching: typo-tolerant, accent-free scoring of a question against every phrasing."""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process

from bot.faq import FaqEntry
from bot.text import normalize

STOPWORDS = frozenset("""
a ai aie as au aux avec avez avons avoir c ca ce ceci cela celle celui ces cet cette chaque
d dans de des du elle elles en es est et etc etes etre eu il ils j je l la le les leur leurs
lui m ma mais me meme mes moi mon n ne nos notre nous on ont ou par pas peu peut qu que quel
quelle quelles quels qui s sa se ses si son sont sur suis sommes sera serait seront etait
ete t ta te tes ton tu un une vos votre vous y 1 bonjour salut svp merci madame monsieur
oui non alors donc bien tres plus moins faut faire fait fais faites font dois doit doivent
peuvent puis pouvons pouvez pourrait pourriez pourrions veux voudrais voudrions aimerais
savoir dire question est-ce quoi comment pour comme aussi tout toute tous toutes vraiment
exactement concretement svp stp possible cas
""".split())

STEM_LENGTH = 6
SHORTLIST = 20
TF_BASE = 0.5
TF_ALPHA = 0.5
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

    answer: float = 66.0
    margin: float = 4.0
    suggest: float = 45.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Weights:
    """How the parts of the score add up (they sum to 1)."""

    recall: float = 0.20        # share of the question's words found in the phrasing
    precision: float = 0.30     # share of the phrasing's words found in the question
    ratio: float = 0.15         # rapidfuzz token_set_ratio between the two
    entry: float = 0.90         # the question's words found in the entry, by how often
    answer_words: float = 0.3   # strength of a word seen only in the answer, for `entry`


def IDF(total, df):
    return math.log(1 + total / df)


def UNKNOWN(total):
    return math.log(1 + total)


class Synonyms:
    """Rewrites user words into the FAQ's words ("interco" → "epci"), longest phrase first."""

    def __init__(self, mapping: dict[str, list[str]] | None = None) -> None:
        self.replacements: dict[str, str] = {}
        for canonical, variants in (mapping or {}).items():
            for variant in variants:
                self.replacements[normalize(variant)] = normalize(canonical)
        alternatives = sorted(self.replacements, key=len, reverse=True)
        self._pattern = re.compile(r"\b(" + "|".join(map(re.escape, alternatives)) + r")\b") \
            if alternatives else None

    def apply(self, normalized: str) -> str:
        if self._pattern is None:
            return normalized
        return self._pattern.sub(lambda m: self.replacements[m.group(1)], normalized)


class FaqMatcher:
    """Scores a question against all phrasings with IDF-weighted word overlap and fuzzy ratio."""

    def __init__(self, entries: Iterable[FaqEntry], thresholds: Thresholds | None = None,
                 weights: Weights | None = None, synonyms: Synonyms | None = None) -> None:
        self.synonyms = synonyms or Synonyms()
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self.entries: list[FaqEntry] = list(entries)
        self._owner: list[int] = []            # phrasing index → entry index
        self._texts: list[str] = []            # content words of each phrasing, joined
        self._stems: list[frozenset[str]] = []
        # stem → entries that have it: (entry, in a phrasing or only in the answer, strength)
        self._entry_postings: dict[str, list[tuple[int, bool, float]]] = defaultdict(list)
        words_seen: set[str] = set()
        document_frequency: dict[str, int] = defaultdict(int)
        for entry_index, entry in enumerate(self.entries):
            phrasing_stems: set[str] = set()
            counts: dict[str, int] = defaultdict(int)
            for phrasing in entry.phrasings:
                words = content_words(self.synonyms.apply(normalize(phrasing)))
                stems = frozenset(stem(w) for w in words)
                index = len(self._texts)
                self._owner.append(entry_index)
                self._texts.append(" ".join(words))
                self._stems.append(stems)
                phrasing_stems |= stems
                for s in stems:
                    counts[s] += 1
                words_seen.update(words)
            answer_words = content_words(self.synonyms.apply(normalize(entry.answer_words)))
            words_seen.update(answer_words)
            answer_stems = {stem(w) for w in answer_words} - phrasing_stems
            phrasings = len(entry.phrasings)
            for s in phrasing_stems:
                strength = TF_BASE + (1 - TF_BASE) * (counts[s] / phrasings) ** TF_ALPHA
                self._entry_postings[s].append((entry_index, True, strength))
            for s in answer_stems:
                self._entry_postings[s].append((entry_index, False,
                                                self.weights.answer_words))
            for s in phrasing_stems | answer_stems:
                document_frequency[s] += 1
        self.vocabulary = sorted(words_seen)
        self._stem_set = frozenset(self._entry_postings)
        total = max(len(self.entries), 1)
        self.idf = {s: IDF(total, df) for s, df in document_frequency.items()}
        self._unknown_idf = UNKNOWN(total)
        self._phrasing_weight = [sum(self.idf[s] for s in stems) or 1.0 for stems in self._stems]
        self._entry_phrasings: list[list[int]] = [[] for _ in self.entries]
        for index, entry_index in enumerate(self._owner):
            self._entry_phrasings[entry_index].append(index)
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
        words, stems = self.query_stems(self.synonyms.apply(normalized))
        unique = list(dict.fromkeys(stems))
        if not unique:
            return Match(band="fallback", candidates=(), normalized=normalized)
        weights = {s: self.idf.get(s, self._unknown_idf) for s in unique}
        query_weight = sum(weights.values())
        entry_recall: dict[int, float] = defaultdict(float)
        phrasing_recall: dict[int, float] = defaultdict(float)
        for s in unique:
            share = weights[s] / query_weight
            for entry_index, in_phrasing, strength in self._entry_postings.get(s, ()):
                entry_recall[entry_index] += strength * share
                if in_phrasing:
                    phrasing_recall[entry_index] += share
        w = self.weights
        scale = 100 / (w.recall + w.precision + w.ratio + w.entry)
        # Best possible score of each entry; entries are scored best bound first, and scoring
        # stops once no remaining entry can enter the top three, or after the most promising
        # SHORTLIST entries (the others share too few rare words with the question to win).
        bounds = heapq.nlargest(SHORTLIST, ((scale * (w.recall * phrasing_recall[i] + w.precision
                                                    + w.ratio + w.entry * r), i)
                                            for i, r in entry_recall.items()))
        query_set = set(unique)
        query_text = " ".join(words)
        scores: dict[int, float] = {}
        top: list[float] = []
        for bound, entry_index in bounds:
            if len(top) == 3 and bound <= top[-1]:
                break
            base = w.entry * entry_recall[entry_index]
            best = base
            for index in self._entry_phrasings[entry_index]:
                shared_stems = query_set & self._stems[index]
                if not shared_stems:
                    continue
                shared = sum(weights[s] for s in shared_stems)
                partial = base + w.recall * shared / query_weight \
                    + w.precision * shared / self._phrasing_weight[index]
                if partial + w.ratio <= best:
                    continue  # even a perfect fuzzy ratio would not beat this entry's best
                ratio = fuzz.token_set_ratio(query_text, self._texts[index]) / 100
                best = max(best, partial + w.ratio * ratio)
            scores[entry_index] = scale * best
            top = heapq.nlargest(3, [*top, scale * best])
        best_by_entry = scores
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
