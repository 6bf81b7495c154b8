"""Issue 12.6: a restarted sweep counts the sends of the previous process (Telegram still
does), so it does not burst past the flood limits (bench/reminders.py, small count)."""

from __future__ import annotations

import signal

import pytest

from tests.support.benches import load_bench

bench = load_bench("reminders")
COUNT = 90
# A steady run, with no restart, already meets a 429 now and then: the sweep counts a message
# when it leaves and Telegram when it arrives (the production window is 5 % longer for that).
JITTER = 2


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
async def test_a_restarted_sweep_stays_under_the_flood_limits(stop: signal.Signals) -> None:
    result = await bench.run(COUNT, stop=stop)
    assert result["stopped_after"] >= COUNT // 2 and result["duplicates"] == 0
    assert result["flood_429"] <= JITTER  # a restart without memory: about 30
