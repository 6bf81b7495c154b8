"""FAQ matching: typo-tolerant, accent-free scoring of a question against every phrasing."""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from itertools import accumulate, pairwise
from typing import Literal, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.text import normalize
from bot.faq.classifier import Classifier
from bot.faq.entries import FaqEntry, Scope
from bot.faq.lemmas import lemmatizer

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

SHORTLIST = 20
TF_BASE = 0.5
TF_ALPHA = 0.5
# A phrasing's score estimated with vector sums (in another order) is this close to the exact
# one, and far closer in fact for weights of order 1: pruning on estimates stays exact.
ROUNDING_MARGIN = 1e-9
PREFIX = 4  # a French word is corrected only to a word that begins with the same letters
Band = Literal["answer", "suggest", "fallback"]
Reading = tuple[str, float] | None   # the second reader's likeliest entry and its probability


def term(word: str) -> str:
    """The term a word counts as: its French lemma ("financees" → "financer")."""
    return lemmatizer().lemma(word)


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
    coverage: float = 0.0  # share of the question's weight found in the best entry
    exact: bool = False    # the question is one of the best entry's phrasings (word for word)
    agreed: bool = False   # the matcher hesitated and the second reader confirmed its best

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    """Score bands, chosen on the tuning and dev sets and on phrasings held out of the index
    (bench/faq.py), for at most 1 % of wrong answers on the tuning set.

    Answer from `answer` with a lead of `margin` over the second, or from `answer_far_ahead`
    with a lead of `far_ahead`; either way with at least `coverage` (`coverage_far_ahead`) of
    the question's weight found in the best entry's phrasings. No lead is needed when the two
    are related entries, unless the second reader names another entry with a probability of
    `contradiction` (0.3 to 0.4 answer alike on the tuning and dev sets). Also answer from
    `agreed` with `coverage_agreed` when the second reader names the same best entry with a
    probability of `agreement` at least (chosen on the tuning and dev sets: no more wrong
    answers on tuning). Suggest from `suggest`; below, the fallback. With `verbatim`, a
    question typed as one of an entry's phrasings (stop words included) is that entry's,
    answered whatever its score.
    """

    answer: float = 60.0
    margin: float = 6.0
    coverage: float = 0.4
    answer_far_ahead: float = 50.0
    far_ahead: float = 20.0
    coverage_far_ahead: float = 0.5
    suggest: float = 35.0
    agreed: float = 40.0
    coverage_agreed: float = 0.3
    agreement: float = 0.5
    contradiction: float = 0.3
    verbatim: bool = True


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


class _Query(NamedTuple):
    """A question's terms (with their weights, and their total) and its content words joined."""

    terms: set[str]
    weights: dict[str, float]
    total: float
    text: str


class FaqMatcher:
    """Scores a question against all phrasings with IDF-weighted word overlap and fuzzy ratio."""

    def __init__(self, entries: Iterable[FaqEntry], thresholds: Thresholds | None = None,
                 weights: Weights | None = None, synonyms: Synonyms | None = None,
                 scope: Scope | None = None) -> None:
        self.synonyms = synonyms or Synonyms()
        self.scope = scope or Scope()
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self.entries: list[FaqEntry] = list(entries)
        self._texts: list[str] = []            # content words of each phrasing, joined
        self._terms: list[frozenset[str]] = []
        # term → entries that have it: (entry, in a phrasing or only in the answer, strength)
        self._entry_postings: dict[str, list[tuple[int, bool, float]]] = defaultdict(list)
        words_seen: set[str] = set()
        self._entry_terms: list[frozenset[str]] = []  # each entry's phrasings' terms
        document_frequency: dict[str, int] = defaultdict(int)
        owners: dict[str, set[int]] = defaultdict(set)   # a phrasing as typed → its entries
        for entry_index, entry in enumerate(self.entries):
            phrasing_terms: set[str] = set()
            counts: dict[str, int] = defaultdict(int)
            for phrasing in entry.phrasings:
                rewritten = self.synonyms.apply(normalize(phrasing))
                owners[rewritten].add(entry_index)
                words = content_words(rewritten)
                terms = frozenset(term(w) for w in words)
                self._texts.append(" ".join(words))
                self._terms.append(terms)
                phrasing_terms |= terms
                for s in terms:
                    counts[s] += 1
                words_seen.update(words)
            self._entry_terms.append(frozenset(phrasing_terms))
            answer_words = content_words(self.synonyms.apply(normalize(entry.answer_words)))
            words_seen.update(answer_words)
            answer_terms = {term(w) for w in answer_words} - phrasing_terms
            phrasings = len(entry.phrasings)
            for s in phrasing_terms:
                strength = TF_BASE + (1 - TF_BASE) * (counts[s] / phrasings) ** TF_ALPHA
                self._entry_postings[s].append((entry_index, True, strength))
            for s in answer_terms:
                self._entry_postings[s].append((entry_index, False,
                                                self.weights.answer_words))
            for s in phrasing_terms | answer_terms:
                document_frequency[s] += 1
        self._verbatim = {text: min(found) for text, found in owners.items() if len(found) == 1}
        self.vocabulary = sorted(words_seen)
        self._term_set = frozenset(self._entry_postings)
        total = max(len(self.entries), 1)
        self.idf = {s: IDF(total, df) for s, df in document_frequency.items()}
        self._unknown_idf = UNKNOWN(total)
        self._phrasing_weight = [sum(self.idf[s] for s in terms) or 1.0 for terms in self._terms]
        w = self.weights
        self._scale = 100 / (w.recall + w.precision + w.ratio + w.entry)
        self._index_arrays()
        self._near_lengths: dict[int, list[str]] = {}
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        self.second_reader: Classifier | None = None   # set by the content loader

    def _index_arrays(self) -> None:
        """The postings as arrays, for a few vector operations per question. Per term: the
        entries that have it, with rows (strength, 1.0 if in a phrasing else 0.0); the
        phrasings that have it, with its weight. An entry's phrasings are consecutive."""
        self._term_entries = {s: np.array([p[0] for p in postings], dtype=np.intp)
                              for s, postings in self._entry_postings.items()}
        self._term_values = {s: np.array([[p[2] for p in postings], [p[1] for p in postings]],
                                         dtype=float)
                             for s, postings in self._entry_postings.items()}
        term_phrasings: dict[str, list[int]] = {s: [] for s in self._entry_postings}
        for index, terms in enumerate(self._terms):
            for s in terms:
                term_phrasings[s].append(index)
        self._term_phrasings = {s: np.array(p, dtype=np.intp) for s, p in term_phrasings.items()}
        self._term_phrasing_weights = {s: np.full(len(p), self.idf[s])
                                       for s, p in term_phrasings.items()}
        self._precision_gain = self.weights.precision / np.array(self._phrasing_weight)
        self._first_phrasing = list(accumulate((len(e.phrasings) for e in self.entries),
                                               initial=0))
        self._entry_phrasings = [np.arange(a, b) for a, b in pairwise(self._first_phrasing)]

    def training_documents(self) -> tuple[list[list[str]], list[str]]:
        """Each phrasing's terms, as the second reader reads a question, and its entry's id."""
        documents = [[term(w) for w in text.split()] for text in self._texts]
        return documents, [entry.id for entry in self.entries for _ in entry.phrasings]

    @staticmethod
    def typed_terms(rewritten: str) -> list[str]:
        """The terms of the words as typed (synonyms applied, no typo corrected): the second
        reader's own view ("brest" stays "brest" for it, where the matcher reads "reste")."""
        return [term(w) for w in content_words(rewritten)]

    def clear_cache(self) -> None:
        """Forget remembered typo corrections."""
        self._correct.cache_clear()

    def _correct_uncached(self, word: str) -> str:
        """The vocabulary word closest to an unknown word, if close enough (typos)."""
        if len(word) < 4 or word.isdigit():
            return word
        found = process.extractOne(word, self._near_length(len(word)), scorer=fuzz.ratio,
                                   score_cutoff=80)
        return found[0] if found else word

    def _near_length(self, length: int) -> list[str]:
        """Vocabulary words, in order, whose length allows a ratio of 80 with this length."""
        # fuzz.ratio is 100 × (1 − distance / sum of lengths) and the distance is at least the
        # difference of lengths: a ratio of 80 needs 5 × difference ≤ sum.
        if length not in self._near_lengths:
            self._near_lengths[length] = [word for word in self.vocabulary
                                          if 5 * abs(len(word) - length) <= len(word) + length]
        return self._near_lengths[length]

    def query_terms(self, normalized: str) -> tuple[list[str], list[str]]:
        """Content words of a normalised question (typos corrected) and their terms."""
        words = []
        for word in content_words(normalized):
            if term(word) not in self._term_set:
                word = self._typo_fixed(word)
            words.append(word)
        return words, [term(w) for w in words]

    def _typo_fixed(self, word: str) -> str:
        """An unknown word corrected to the FAQ's closest word; a French word only to a word
        that begins alike ("choisit" → "choisi"), never "reparer" → "preparer"."""
        corrected = self._correct(word)
        if corrected[:PREFIX] == word[:PREFIX] or not lemmatizer().knows(word):
            return corrected
        return word

    def match(self, question: str) -> Match:
        """Score the question and place it in a band."""
        normalized = normalize(question)
        rewritten = self.synonyms.apply(normalized)
        verbatim = self._verbatim.get(rewritten) if self.thresholds.verbatim else None
        if verbatim is not None:
            band: Band = "suggest" if self.scope.off_topic(normalized) else "answer"
            return Match(band=band, candidates=(Candidate(entry=self.entries[verbatim],
                                                          score=100.0),),
                         normalized=normalized, coverage=1.0, exact=True)
        words, terms = self.query_terms(rewritten)
        unique = list(dict.fromkeys(terms))
        known = [s for s in unique if s in self._term_entries]
        if not known:
            return Match(band="fallback", candidates=(), normalized=normalized)
        weights = {s: self.idf.get(s, self._unknown_idf) for s in unique}
        # The exact sum of shared weights follows this set's iteration order, which depends on
        # how the set was built: always set(unique).
        query = _Query(terms=set(unique), weights=weights, total=sum(weights.values()),
                       text=" ".join(words))
        shortlist = self._shortlist(known, query)
        gains, starts, most = self._gains([i for _, i, _ in shortlist], known, query)
        ratio = self.weights.ratio
        scores: dict[int, float] = {}  # entries that are, when scored, among the best three
        top: list[float] = []  # min-heap of the three best scores so far
        for k, (bound, entry_index, base) in enumerate(shortlist):
            if len(top) == 3 and bound <= top[0]:
                break
            # With three entries scored before it at `floor` or above, an entry that does not
            # beat `floor` cannot rank (the sort below is stable): its score need not be exact.
            floor = top[0] / self._scale if len(top) == 3 else -math.inf
            if base + max(most[k], 0.0) + ratio + ROUNDING_MARGIN <= floor:
                continue  # cannot rank, even with perfect fuzzy ratios (most: -inf if no gain)
            score = self._scale * self._best(entry_index, base, floor,
                                             gains[starts[k]:starts[k + 1]], query)
            if len(top) < 3:
                heapq.heappush(top, score)
            elif score > top[0]:
                heapq.heapreplace(top, score)
            else:
                continue  # cannot rank: three entries scored before it do at least as well
            scores[entry_index] = score
        ranked = sorted(scores.items(), key=lambda item: -item[1])[:3]
        candidates = tuple(Candidate(entry=self.entries[i], score=round(s, 1))
                           for i, s in ranked)
        if not ranked:
            return Match(band="fallback", candidates=(), normalized=normalized)
        best = ranked[0][0]
        found = self._entry_terms[best]
        shared = [s for s in weights if s in found]
        coverage = sum(weights[s] for s in shared) / query.total \
            if any(map(telling, shared)) else 0.0
        exact = query.text in self._texts[self._first_phrasing[best]:
                                          self._first_phrasing[best + 1]]
        second = cache(partial(self._second_reading, rewritten))
        agreed = self._band(candidates, coverage, second) == "suggest" and \
            self._confirmed(second, candidates[0], coverage)
        return Match(band=self.band(candidates, coverage, normalized, agreed=agreed,
                                    second=second),
                     candidates=candidates, normalized=normalized, coverage=coverage,
                     exact=exact, agreed=agreed)

    def _second_reading(self, rewritten: str) -> Reading:
        """The second reader's likeliest entry and its probability (None: it knows no word)."""
        if self.second_reader is None:
            return None
        return self.second_reader.predict(self.typed_terms(rewritten))

    def _contradicted(self, best: Candidate, reading: Reading) -> bool:
        """Whether the second reader names another entry than this best one, surely enough."""
        return reading is not None and reading[0] != best.entry.id and \
            reading[1] >= self.thresholds.contradiction

    def _confirmed(self, second: Callable[[], Reading], best: Candidate,
                   coverage: float) -> bool:
        """Whether the second reader names this best candidate surely enough to answer it."""
        limits = self.thresholds
        if best.score < limits.agreed or coverage < limits.coverage_agreed:
            return False
        found = second()
        return found is not None and found[0] == best.entry.id and \
            found[1] >= limits.agreement

    def _shortlist(self, known: list[str], query: _Query) -> list[tuple[float, int, float]]:
        """The SHORTLIST entries with the best bounds, as (bound, entry, score of its words)."""
        # An entry's bound is the best score it could get. Entries come best bound first,
        # larger index first on a tie, and are scored in that order; scoring stops once no
        # remaining entry can enter the top three (the others share too few rare words to win).
        entries = np.concatenate([self._term_entries[s] for s in known])
        values = np.concatenate([self._term_values[s] * (query.weights[s] / query.total)
                                 for s in known], axis=1)
        # bincount adds in input order: term by term, exactly like a loop over the postings
        entry_recall = np.bincount(entries, values[0], len(self.entries))
        phrasing_recall = np.bincount(entries, values[1], len(self.entries))
        found = np.bincount(entries, minlength=len(self.entries)).nonzero()[0]
        w = self.weights
        bounds = (self._scale * (w.recall * phrasing_recall + w.precision + w.ratio
                                 + w.entry * entry_recall))[found]
        best = np.lexsort((found, bounds))[::-1][:SHORTLIST]
        chosen = found[best]
        return list(zip(bounds[best].tolist(), chosen.tolist(),
                        (w.entry * entry_recall[chosen]).tolist(), strict=True))

    def _gains(self, entries: list[int], known: list[str], query: _Query
               ) -> tuple[list[float], list[int], list[float]]:
        """Gains of these entries' phrasings in a row, where each entry's start, each's best."""
        # A phrasing's gain is what the terms it shares with the question add to its score
        # before the fuzzy ratio, exact up to rounding; -inf if it shares none.
        shared = np.bincount(np.concatenate([self._term_phrasings[s] for s in known]),
                             np.concatenate([self._term_phrasing_weights[s] for s in known]),
                             len(self._texts))
        phrasings = np.concatenate([self._entry_phrasings[i] for i in entries])
        shared = shared[phrasings]
        gains = np.where(shared > 0, shared * (self.weights.recall / query.total
                                               + self._precision_gain[phrasings]), -np.inf)
        starts = list(accumulate((len(self._entry_phrasings[i]) for i in entries), initial=0))
        return gains.tolist(), starts, np.maximum.reduceat(gains, starts[:-1]).tolist()

    def _best(self, entry_index: int, base: float, floor: float, gains: list[float],
              query: _Query) -> float:
        """An entry's best score (unscaled) over its phrasings, exact if above `floor`."""
        # A phrasing that, even with a perfect fuzzy ratio, would beat neither the best so far
        # nor `floor` cannot matter; the best gains come first, to raise the best early.
        w = self.weights
        best, limit = base, max(base, floor)
        need = limit - base - w.ratio - ROUNDING_MARGIN
        for gain, k in sorted([(g, k) for k, g in enumerate(gains) if g > need], reverse=True):
            if base + gain + w.ratio + ROUNDING_MARGIN <= limit:
                break
            index = self._first_phrasing[entry_index] + k
            ratio = fuzz.token_set_ratio(query.text, self._texts[index]) / 100
            if base + gain + w.ratio * ratio + ROUNDING_MARGIN <= limit:
                continue  # cannot beat it either: no need for the exact sum
            shared = sum(map(query.weights.__getitem__, query.terms & self._terms[index]))
            partial = base + w.recall * shared / query.total \
                + w.precision * shared / self._phrasing_weight[index]
            best = max(best, partial + w.ratio * ratio)
            limit = max(limit, best)
        return best

    def band(self, candidates: tuple[Candidate, ...], coverage: float, normalized: str, *,
             agreed: bool = False, second: Callable[[], Reading] = lambda: None) -> Band:
        """Answer, suggest or fall back, from the best candidates and the question's coverage;
        `agreed`: the second reader confirmed a hesitant best candidate; `second`: its reading."""
        band = self._band(candidates, coverage, second)
        if band == "suggest" and agreed:
            band = "answer"
        if band == "answer" and self.scope.off_topic(normalized):
            return "suggest"  # another subject of the town hall: never a confident answer
        return band

    def _band(self, candidates: tuple[Candidate, ...], coverage: float,
              second: Callable[[], Reading]) -> Band:
        """The band from the scores; two related entries close together are answered only if
        the second reader does not name another entry (`second`, asked only then)."""
        limits = self.thresholds
        if not candidates:
            return "fallback"
        best = candidates[0]
        lead = best.score - (candidates[1].score if len(candidates) > 1 else 0.0)
        clear = lead >= limits.margin or (
            len(candidates) > 1 and related(best.entry, candidates[1].entry) and
            not self._contradicted(best, second()))
        if best.score >= limits.answer and coverage >= limits.coverage and clear:
            return "answer"
        if best.score >= limits.answer_far_ahead and lead >= limits.far_ahead and \
                coverage >= limits.coverage_far_ahead:
            return "answer"
        return "suggest" if best.score >= limits.suggest else "fallback"


def related(one: FaqEntry, other: FaqEntry) -> bool:
    """Entries that point to each other (« voir_aussi »): answering one offers the other."""
    return other.id in one.see_also or one.id in other.see_also


def telling(shared_term: str) -> bool:
    """Whether a term shared with an entry says what it is about: a word, an amount or a year,
    not a small figure ("10" of "10 %" for "et pour 10 postes ?")."""
    return not shared_term.isdigit() or len(shared_term) >= 3


def content_words(normalized: str) -> list[str]:
    """Words that carry meaning (stop words removed)."""
    return [w for w in normalized.split() if w not in STOPWORDS]
