"""One sweeping leader across replicas (bot/storage/leader.py), on a real PostgreSQL server:
held by one, taken over when it stops, dies (SIGKILL) or freezes (SIGSTOP)."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import sys
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.delivery.sweep import Sweeper
from bot.reminders.store import ReminderStore
from bot.storage.leader import PostgresLeader, SoleLeader
from bot.storage.store import Store
from tests.support.postgres import PostgresServer
from tests.support.reminders import Channel, FakeClock, add, fake_reminders

NOW = dt.datetime(2021, 3, 1, 12, tzinfo=dt.UTC)
FAST = 0.1   # seconds between two looks, for the tests


@pytest.fixture
def url(postgres: PostgresServer) -> str:
    postgres.reset()
    return postgres.url


async def until(condition, seconds: float) -> float:
    """Seconds until `condition()` holds (fails after `seconds`)."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, "not in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - start


@pytest_asyncio.fixture
async def follower(url: str) -> AsyncIterator[PostgresLeader]:
    leader = PostgresLeader(url, poll=FAST)
    yield leader
    await leader.close()


async def holder_process(url: str, idle_timeout: float) -> asyncio.subprocess.Process:
    """Another replica, in its own process, that takes the lead and says so."""
    code = ("import asyncio, sys\nfrom bot.storage.leader import PostgresLeader\n"
            "async def main():\n"
            "    leader = PostgresLeader(sys.argv[1], poll=0.1,"
            f" idle_timeout={idle_timeout})\n"
            "    await leader.start(); print(leader.held, flush=True)\n"
            "    await asyncio.sleep(60)\n"
            "asyncio.run(main())")
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", code, url,
                                                   stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    assert (await process.stdout.readline()).strip() == b"True"
    return process


async def test_one_leader_at_a_time_and_the_next_one_on_close(url: str,
                                                              follower: PostgresLeader) -> None:
    first = PostgresLeader(url, poll=FAST)
    await first.start()
    await follower.start()
    assert (first.held, follower.held) == (True, False)
    await asyncio.sleep(3 * FAST)
    assert (first.held, follower.held) == (True, False)   # the heartbeat keeps it
    await first.close()
    await until(lambda: follower.held, 2.0)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGSTOP])
async def test_a_dead_or_frozen_leader_is_replaced_within_seconds(
        url: str, follower: PostgresLeader, how: signal.Signals) -> None:
    process = await holder_process(url, idle_timeout=1.0)
    try:
        await follower.start()
        assert not follower.held
        process.send_signal(how)
        await until(lambda: follower.held, 5.0)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_only_the_leader_sends(url: str, follower: PostgresLeader) -> None:
    store = await Store.open(url)
    try:
        reminders = ReminderStore(store.db)
        for chat in (1, 2, 3):
            await add(reminders, chat, fake_reminders(1, NOW), NOW)
        leader = PostgresLeader(url, poll=FAST)
        await leader.start()
        await follower.start()
        clock = FakeClock(NOW)
        sent_by_follower, sent_by_leader = Channel(clock), Channel(clock)
        report = await Sweeper(reminders, sent_by_follower, clock=clock,
                               leader=follower).run_once()
        assert (report.claimed, sent_by_follower.sent) == (0, [])
        assert report.deferred == 3
        report = await Sweeper(reminders, sent_by_leader, clock=clock,
                               leader=leader).run_once()
        assert sorted(chat for _, chat, _ in sent_by_leader.sent) == [1, 2, 3]
        await leader.close()
    finally:
        await store.close()


async def test_sqlite_has_one_process_always_leading() -> None:
    leader = SoleLeader()
    await leader.start()
    assert leader.held
    await leader.close()
