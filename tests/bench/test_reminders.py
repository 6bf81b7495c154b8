"""bench/reminders.py with a small count, on SQLite and on PostgreSQL (there also with two
sweeping replicas, the leader killed): nothing duplicated, nothing lost but what a SIGKILL cut
in flight (at most once), crash included.

It runs the real sweeper in child processes against the emulator at the production rate
limits, so it takes real time: the count is kept small (about 2 s a run).
"""

from __future__ import annotations

import signal

from bot.delivery.sweep import SweepConfig
from tests.support.benches import load_bench
from tests.support.postgres import PostgresServer

bench = load_bench("reminders")
COUNT = 45


async def test_steady_run_delivers_each_reminder_once(bench_database: str | None) -> None:
    result = await bench.run(COUNT, database=bench_database)
    assert (result["sent"], result["lost"], result["duplicates"]) == (COUNT, 0, 0)
    assert result["rows_sent"] == COUNT


async def test_sigterm_halfway_then_restart_loses_and_duplicates_nothing(
        bench_database: str | None) -> None:
    result = await bench.run(COUNT, stop=signal.SIGTERM, database=bench_database)
    assert result["stopped_after"] >= COUNT // 2
    assert (result["sent"], result["lost"], result["duplicates"]) == (COUNT, 0, 0)
    assert result["rows_sent"] == COUNT and result["rows_sending"] == 0


async def test_sigkill_halfway_then_restart_duplicates_nothing(bench_database: str | None) -> None:
    result = await bench.run(COUNT, stop=signal.SIGKILL, database=bench_database)
    assert result["stopped_after"] >= COUNT // 2
    assert result["duplicates"] == 0
    assert result["rows_sent"] + result["rows_sending"] == COUNT
    assert result["interrupted"] == result["rows_sending"] <= SweepConfig().max_in_flight
    # at most once: only a row cut between its claim and its arrival can be missing
    assert result["lost"] == result["interrupted"] - result["interrupted_delivered"]


async def test_two_replicas_the_leader_killed_halfway_duplicate_nothing(
        postgres: PostgresServer) -> None:
    result = await bench.run(COUNT, stop=signal.SIGKILL, replicas=2,
                             database=postgres.create_database("bench"))
    assert result["stopped_after"] >= COUNT // 2
    assert result["duplicates"] == 0
    assert result["rows_sent"] + result["rows_sending"] == COUNT
    assert result["interrupted"] == result["rows_sending"] <= SweepConfig().max_in_flight
    assert result["lost"] == result["interrupted"] - result["interrupted_delivered"]
    assert result["busiest_second"] <= bench.CAP
