"""FAQ benchmark: what users get at once, on the tuning set, the two development sets and the
held-out test set, against two baselines (rapidfuzz over the questions, BM25 over every
phrasing), and latency.

Run: .venv/bin/python bench/faq.py [--failures tuning|dev|dev2]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import bm25s
from rapidfuzz import process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import app  # noqa: E402
from bot.app import build_assistant  # noqa: E402
from bot.assistant import Assistant  # noqa: E402
from bot.content.loader import Content  # noqa: E402
from bot.core.text import normalize  # noqa: E402
from bot.faq.evaluation import Outcome, Report, evaluate, load_cases, outcome_of_reply  # noqa: E402
from bot.faq.feature import FaqFeature  # noqa: E402
from bot.faq.matcher import FaqMatcher  # noqa: E402
from bot.storage.store import Store  # noqa: E402

SETS = {"tuning": ROOT / "tests" / "data" / "questions.yaml",
        "dev": ROOT / "tests" / "data" / "dev.yaml",
        "dev2": ROOT / "tests" / "data" / "dev2.yaml",
        "test": ROOT / "tests" / "data" / "heldout.yaml"}


def naive_outcome(content: Content) -> Callable[[str], Outcome]:
    """rapidfuzz extractOne with default settings over the raw canonical questions."""
    ids = list(content.faq)
    questions = [content.faq[i].question for i in ids]

    def answer(question: str) -> Outcome:
        found = process.extractOne(question, questions)
        return Outcome(kind="faq", top=ids[found[2]] if found else None)
    return answer


def bm25_outcome(content: Content) -> Callable[[str], Outcome]:
    """Plain BM25 (bm25s) over every phrasing, normalised like ours; the best entry answers."""
    owners = [e.id for e in content.faq.values() for _ in e.phrasings]
    corpus = [normalize(p) for e in content.faq.values() for p in e.phrasings]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="fr", show_progress=False),
                    show_progress=False)

    def answer(question: str) -> Outcome:
        tokens = bm25s.tokenize([normalize(question) or "vide"], stopwords="fr",
                                show_progress=False)
        if not tokens.vocab:
            return Outcome(kind="fallback", top=None)
        found, scores = retriever.retrieve(tokens, k=1, show_progress=False)
        if scores[0][0] <= 0:
            return Outcome(kind="fallback", top=None)
        return Outcome(kind="faq", top=owners[found[0][0]])
    return answer


def latencies_ms(assistant: Assistant, questions: list[str], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        for question in questions:
            normalize.cache_clear()  # measure cold: real questions rarely repeat
            assistant.content.matcher.clear_cache()
            start = time.perf_counter()
            assistant.feature(FaqFeature).reply(question)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1]


def replicated(content: Content, times: int) -> Content:
    """The same FAQ repeated `times` times (ids made unique), for a scale test."""
    entries = [dataclasses.replace(e, id=f"{e.id}-{k}", see_also=tuple(
        f"{other}-{k}" for other in e.see_also)) for k in range(times)
        for e in content.faq.values()]
    return dataclasses.replace(content, faq={e.id: e for e in entries},
                               matcher=FaqMatcher(entries, synonyms=content.matcher.synonyms,
                                                  scope=content.matcher.scope))


def show(name: str, report: Report) -> None:
    """One line per kind of question: what users got."""
    for kind, tally in (("faq+calcul", report.in_scope()), ("faq", report.tallies["faq"]),
                        ("calcul", report.tallies["compute"])):
        if not tally.total:
            continue
        v = tally.verdicts
        print(f"  {name:<9} {kind:<10} answered right at once {tally.rate('right'):6.1%} "
              f"({v['right']}/{tally.total})  wrong-confident {tally.rate('wrong'):5.1%} "
              f"({v['wrong']})  suggestion-right {v['suggestion_right']}"
              f"  suggestion-wrong {v['suggestion_wrong']}  fallback {v['fallback']}")
    out, small = report.tallies["out_of_scope"], report.tallies["smalltalk"]
    print(f"  {name:<9} out-of-scope answered with confidence {out.verdicts['wrong']}"
          f"/{out.total}" + (f"  small talk recognised {small.verdicts['right']}/{small.total}"
                             if small.total else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", choices=("tuning", "dev", "dev2"),
                        help="list that set's misses (never the test set's: it is not mined)")
    args = parser.parse_args()
    content = app.load(ROOT / "knowledge", ROOT / "flows")
    asyncio.run(report(content, show_failures=args.failures))


async def report(content: Content, *, show_failures: str | None) -> None:
    store = await Store.open(":memory:")  # answer() itself does no I/O
    try:
        measure(content, store, show_failures=show_failures)
    finally:
        await store.close()


def measure(content: Content, store: Store, *, show_failures: str | None) -> None:
    assistant = build_assistant(content, store)
    phrasings = sum(len(e.phrasings) for e in content.faq.values())
    print(f"FAQ: {len(content.faq)} entries, {phrasings} phrasings")
    baselines = {"naive": naive_outcome(content), "bm25": bm25_outcome(content)}
    questions: list[str] = []
    for name, path in SETS.items():
        cases = load_cases(path)
        questions += [c.question for c in cases]
        print(f"{name} set ({path.name}): {len(cases)} questions")
        ours = evaluate(cases, lambda q: outcome_of_reply(assistant.feature(FaqFeature).reply(q)))
        show("assistant", ours)
        for label, baseline in baselines.items():
            show(label, evaluate(cases, baseline))
        if show_failures == name:
            for question, expected, got in ours.failures:
                print(f"    {question!r}: expected {expected}, got {got}")
    for label, subject, rounds in (("real FAQ", assistant, 10),
                                   ("FAQ x10",
                                    build_assistant(replicated(content, 10), store), 2)):
        timings = latencies_ms(subject, questions, rounds)
        print(f"latency {label:<9} p50 {percentile(timings, 50):.3f} ms"
              f"  p99 {percentile(timings, 99):.3f} ms  max {max(timings):.3f} ms"
              f"  ({len(timings)} answers)")


if __name__ == "__main__":
    main()
