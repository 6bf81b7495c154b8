"""FaqMatcher.match, pruned and vectorised, gives exactly what the plain scoring gives."""

from __future__ import annotations

import dataclasses
import heapq
from collections import defaultdict
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot import app
from bot.core.config import ROOT
from bot.core.text import normalize
from bot.faq.matcher import SHORTLIST, STOPWORDS, Candidate, FaqMatcher, Match, Weights


def plain_match(matcher: FaqMatcher, question: str) -> Match:
    """The scoring written plainly: every phrasing of the entries scored, no estimate."""
    normalized = normalize(question)
    owners = {i for i, e in enumerate(matcher.entries) for p in e.phrasings
              if matcher.synonyms.apply(normalize(p)) == matcher.synonyms.apply(normalized)}
    if len(owners) == 1 and matcher.thresholds.verbatim:
        [owner] = owners
        return Match(band="suggest" if matcher.scope.off_topic(normalized) else "answer",
                     candidates=(Candidate(entry=matcher.entries[owner], score=100.0),),
                     normalized=normalized, coverage=1.0, exact=True)
    words, terms = matcher.query_terms(matcher.synonyms.apply(normalized))
    unique = list(dict.fromkeys(terms))
    weights = {s: matcher.idf.get(s, matcher._unknown_idf) for s in unique}
    total = sum(weights.values())
    entry_recall: dict[int, float] = defaultdict(float)
    phrasing_recall: dict[int, float] = defaultdict(float)
    for s in unique:
        share = weights[s] / total
        for entry_index, in_phrasing, strength in matcher._entry_postings.get(s, ()):
            entry_recall[entry_index] += strength * share
            if in_phrasing:
                phrasing_recall[entry_index] += share
    w = matcher.weights
    scale = 100 / (w.recall + w.precision + w.ratio + w.entry)
    bounds = heapq.nlargest(SHORTLIST, ((scale * (w.recall * phrasing_recall[i] + w.precision
                                                + w.ratio + w.entry * r), i)
                                        for i, r in entry_recall.items()))
    query_set = set(unique)
    scores: dict[int, float] = {}
    for bound, entry_index in bounds:
        if len(scores) >= 3 and bound <= sorted(scores.values())[-3]:
            break
        base = best = w.entry * entry_recall[entry_index]
        first = matcher._first_phrasing[entry_index]
        for index in range(first, first + len(matcher.entries[entry_index].phrasings)):
            shared_terms = query_set & matcher._terms[index]
            if shared_terms:
                shared = sum(weights[s] for s in shared_terms)
                ratio = fuzz.token_set_ratio(" ".join(words), matcher._texts[index]) / 100
                best = max(best, base + w.recall * shared / total
                           + w.precision * shared / matcher._phrasing_weight[index]
                           + w.ratio * ratio)
        scores[entry_index] = scale * best
    ranked = sorted(scores.items(), key=lambda item: -item[1])[:3]
    candidates = tuple(Candidate(entry=matcher.entries[i], score=round(score, 1))
                       for i, score in ranked)
    coverage, exact, agreed = 0.0, False, False
    if ranked:
        first = matcher._first_phrasing[ranked[0][0]]
        count = len(matcher.entries[ranked[0][0]].phrasings)
        found = set().union(*matcher._terms[first:first + count])
        coverage = sum(weights[s] for s in unique if s in found) / total
        if all(s.isdigit() and len(s) < 3 for s in unique if s in found):
            coverage = 0.0  # small figures alone say nothing
        exact = " ".join(words) in matcher._texts[first:first + count]
        limits, best = matcher.thresholds, candidates[0]
        second = matcher.second_reader.predict(
            matcher.typed_terms(matcher.synonyms.apply(normalized))) \
            if matcher.second_reader else None
        hesitant = matcher._band(candidates, coverage, lambda: second) == "suggest"
        agreed = hesitant and best.score >= limits.agreed and \
            coverage >= limits.coverage_agreed and second is not None and \
            second[0] == best.entry.id and second[1] >= limits.agreement
    return Match(band=matcher.band(candidates, coverage, normalized, agreed=agreed,
                                   second=lambda: second),
                 candidates=candidates, normalized=normalized, coverage=coverage, exact=exact,
                 agreed=agreed)


@cache
def matchers() -> list[FaqMatcher]:
    """The real FAQ; with other weights; a small FAQ where every entry appears twice."""
    content = app.load(ROOT / "knowledge", ROOT / "flows")
    entries = list(content.faq.values())
    twice = [dataclasses.replace(e, id=f"{e.id}-{k}") for k in range(2) for e in entries[:12]]
    return [content.matcher,
            FaqMatcher(entries, synonyms=content.matcher.synonyms,
                       weights=Weights(recall=0.5, precision=0.1, ratio=0.6, entry=0.3,
                                       answer_words=0.0)),
            FaqMatcher(twice, synonyms=content.matcher.synonyms)]


@cache
def words() -> list[str]:
    return sorted({*matchers()[0].vocabulary, *STOPWORDS, "xyzzy", "formatoin", "recrutemnt"})


@settings(max_examples=150, deadline=None)
@given(data=st.data(), which=st.integers(0, 2))
def test_match_equals_plain_scoring(data: st.DataObject, which: int) -> None:
    matcher = matchers()[which]
    question = " ".join(data.draw(st.lists(st.sampled_from(words()), max_size=10)))
    assert matcher.match(question) == plain_match(matcher, question)


def test_every_phrasing_matches_as_plainly_scored() -> None:
    matcher = matchers()[0]
    for entry in matcher.entries[::7]:
        for phrasing in entry.phrasings:
            assert matcher.match(phrasing) == plain_match(matcher, phrasing)


def test_a_phrasing_typed_as_written_gets_its_entry() -> None:
    # "il fait quoi concretement le conseiller numerique" is the missions' phrasing: without its
    # stop words it is "conseiller numerique", which the presentation entry scores higher.
    matcher = matchers()[0]
    written: dict[str, set[str]] = defaultdict(set)
    for entry in matcher.entries:
        for phrasing in entry.phrasings:
            written[matcher.synonyms.apply(normalize(phrasing))].add(entry.id)
    for entry in matcher.entries:
        for phrasing in entry.phrasings:
            if len(written[matcher.synonyms.apply(normalize(phrasing))]) > 1:
                continue  # written under two entries: no entry of its own
            match = matcher.match(phrasing.upper() + " ?")
            assert match.best is not None and match.best.entry.id == entry.id, phrasing
            assert match.band == "answer" or matcher.scope.off_topic(match.normalized), phrasing


def test_a_french_word_is_corrected_only_into_a_word_that_begins_alike() -> None:
    matcher = matchers()[0]
    assert matcher.query_terms("reparer ordis")[0] == ["reparer", "ordis"]  # not "preparer"
    assert matcher.query_terms("samedi matin")[0] == ["samedi", "matin"]    # not "martin"
    assert matcher.query_terms("formatoin")[0] == ["formation"]  # a typo is still corrected
