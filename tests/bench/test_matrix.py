"""bench/matrix.py with a small load: both bots answer every message through a real Synapse,
encrypted, and no answer is an error. The rates themselves are the bench's, not checked here."""

from __future__ import annotations

from tests.support.benches import load_bench

bench = load_bench("matrix")
USERS, ROUNDS = 2, 2


async def test_the_bench_runs_both_bots_without_errors() -> None:
    results = await bench.run(USERS, ROUNDS, 1)
    assert set(results) == {"assistant", "echo"}
    for result in results.values():
        assert (result["count"], result["errors"]) == (USERS * ROUNDS, 0)
        assert result["rate"] > 0
