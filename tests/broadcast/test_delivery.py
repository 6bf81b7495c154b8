"""bench/broadcast.py with a small count, on SQLite and on PostgreSQL: an announcement to
every subscribed chat through the local Bot API at the production limits (measured by the
emulator), the sender stopped halfway and restarted (each chat gets it exactly once), and
killed halfway (never twice).

The bench itself runs 5 000 chats (`.venv/bin/python bench/broadcast.py`, ~9 min); the
sender runs in child processes at the real rate, so the count here is kept small (~3 s a run).
"""

from __future__ import annotations

import importlib.util

from bot.core.config import ROOT
from bot.delivery.sweep import SweepConfig

spec = importlib.util.spec_from_file_location("bench_broadcast", ROOT / "bench" / "broadcast.py")
assert spec is not None and spec.loader is not None
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
COUNT = 75


def within_limits(result: dict[str, float | int]) -> None:
    assert result["max_per_second"] <= 30          # the emulator's rate helper
    assert result["max_per_chat_second"] <= 1


async def test_steady_broadcast_reaches_each_chat_once_within_the_limits(
        bench_database: str | None) -> None:
    result = await bench.run(COUNT, database=bench_database)
    assert (result["sent"], result["lost"], result["duplicates"]) == (COUNT, 0, 0)
    assert result["rows_sent"] == COUNT and result["flood_429"] == 0
    within_limits(result)


async def test_sender_stopped_halfway_then_restarted_sends_each_chat_exactly_once(
        bench_database: str | None) -> None:
    result = await bench.run(COUNT, stop=bench.signal.SIGTERM, database=bench_database)
    assert result["stopped_after"] >= COUNT // 2
    assert (result["sent"], result["lost"], result["duplicates"]) == (COUNT, 0, 0)
    assert result["rows_sent"] == COUNT and result["interrupted"] == 0
    assert result["flood_429"] == 0      # the restart waits out the last second's sends
    within_limits(result)


async def test_sender_killed_halfway_never_sends_twice(bench_database: str | None) -> None:
    result = await bench.run(COUNT, stop=bench.signal.SIGKILL, database=bench_database)
    assert result["duplicates"] == 0
    assert result["rows_sent"] + result["rows_sending"] == COUNT
    assert result["interrupted"] == result["rows_sending"] <= SweepConfig().max_in_flight
    assert result["lost"] == result["interrupted"] - result["interrupted_delivered"]
