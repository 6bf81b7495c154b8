"""FAQ benchmark: accuracy on tests/data/questions.yaml against a naive baseline, and latency.

Run: .venv/bin/python bench/faq.py [--failures]
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

from rapidfuzz import process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content import Content, load_content  # noqa: E402
from bot.engine import Assistant  # noqa: E402
from bot.evaluation import Case, Outcome, Report, evaluate, load_cases, outcome_of  # noqa: E402
from bot.knowledge import FaqMatcher  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.text import normalize  # noqa: E402

CASES = ROOT / "tests" / "data" / "questions.yaml"


def naive_outcome(content: Content) -> Callable[[str], Outcome]:
    """rapidfuzz extractOne with default settings over the raw canonical questions."""
    ids = list(content.faq)
    questions = [content.faq[i].question for i in ids]

    def answer(question: str) -> Outcome:
        found = process.extractOne(question, questions)
        return Outcome(kind="faq", top=ids[found[2]] if found else None)
    return answer


def latencies_ms(assistant: Assistant, questions: list[str], rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        for question in questions:
            normalize.cache_clear()  # measure cold: real questions rarely repeat
            assistant.content.matcher.clear_cache()
            start = time.perf_counter()
            assistant.answer(question)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1]


def replicated(content: Content, times: int) -> Content:
    """The same FAQ repeated `times` times (ids made unique), for a scale test."""
    entries = [dataclasses.replace(e, id=f"{e.id}-{k}") for k in range(times)
               for e in content.faq.values()]
    return dataclasses.replace(content, faq={e.id: e for e in entries},
                               matcher=FaqMatcher(entries))


def show(name: str, report: Report) -> None:
    print(f"{name:<10} top-1 {report.top1_rate:6.1%} ({report.top1}/{report.in_scope})"
          f"  answered right {report.answered_right}  answered wrong {report.answered_wrong}"
          f"  suggestions {report.suggestion_rate:6.1%}"
          f"  out-of-scope precision {report.out_of_scope_precision:6.1%}"
          f" ({report.out_of_scope - report.out_of_scope_confident}/{report.out_of_scope})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", action="store_true", help="list the misses")
    args = parser.parse_args()
    content = load_content(ROOT / "knowledge", ROOT / "flows")
    asyncio.run(report(content, show_failures=args.failures))


async def report(content: Content, *, show_failures: bool) -> None:
    store = await Store.open(":memory:")  # answer() itself does no I/O
    try:
        measure(content, store, show_failures=show_failures)
    finally:
        await store.close()


def measure(content: Content, store: Store, *, show_failures: bool) -> None:
    assistant = Assistant(content, store)
    cases: list[Case] = load_cases(CASES)
    phrasings = sum(len(e.phrasings) for e in content.faq.values())
    print(f"FAQ: {len(content.faq)} entries, {phrasings} phrasings; evaluation set: "
          f"{len(cases)} questions")
    ours = evaluate(cases, lambda q: outcome_of(assistant.answer(q)))
    show("assistant", ours)
    show("naive", evaluate(cases, naive_outcome(content)))
    questions = [c.question for c in cases]
    for label, subject, rounds in (("real FAQ", assistant, 20),
                                   ("FAQ x10", Assistant(replicated(content, 10), store), 3)):
        timings = latencies_ms(subject, questions, rounds)
        print(f"latency {label:<9} p50 {percentile(timings, 50):.3f} ms"
              f"  p99 {percentile(timings, 99):.3f} ms  max {max(timings):.3f} ms"
              f"  ({len(timings)} answers)")
    if show_failures:
        for question, expected, got in ours.failures:
            print(f"  {question!r}: expected {expected}, got {got}")


if __name__ == "__main__":
    main()
