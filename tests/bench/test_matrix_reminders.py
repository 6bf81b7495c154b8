"""bench/matrix_reminders.py with a small count, through a real Synapse: every room gets its
reminder once; across a SIGKILL nothing is duplicated and only a send cut in flight may be
missing (at most once)."""

from __future__ import annotations

from bot.delivery.sweep import SweepConfig
from tests.support.benches import load_bench

bench = load_bench("matrix_reminders")
COUNT = 30


async def test_steady_run_delivers_each_reminder_once() -> None:
    result = await bench.deliver(COUNT, kill=False)
    assert (result["lost"], result["duplicates"], result["rows_sent"]) == (0, 0, COUNT)


async def test_sigkill_halfway_then_restart_duplicates_nothing() -> None:
    result = await bench.deliver(COUNT, kill=True)
    assert result["stopped_after"] >= COUNT // 2 and result["duplicates"] == 0
    assert result["rows_sent"] + result["rows_sending"] == COUNT
    assert result["interrupted"] == result["rows_sending"] <= SweepConfig().max_in_flight
    assert result["lost"] == result["interrupted"] - result["interrupted_delivered"]
