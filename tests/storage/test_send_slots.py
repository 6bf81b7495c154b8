"""Telegram's overall limit held by two replicas together (Database.reserve on PostgreSQL):
their messages, sent as soon as their turn comes, never pass 30 in any second."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.ratelimit import Limits, slots
from bot.storage.store import Store
from tests.support.postgres import PostgresServer

PER_REPLICA = 45
LIMITS = Limits(overall_window=1.05)


async def send_all(store: Store, first_chat: int, sent: list[float]) -> None:
    """Each message waits its turn, then `leaves` (its time noted)."""
    async def one(chat_id: int) -> None:
        wait = await store.db.reserve(slots(chat_id, LIMITS))
        await asyncio.sleep(wait)
        sent.append(time.monotonic())
    await asyncio.gather(*(one(first_chat + i) for i in range(PER_REPLICA)))


def busiest_second(times: list[float]) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t < start + 1.0) for start in ordered)


async def test_two_replicas_stay_under_30_messages_a_second_together(
        postgres: PostgresServer) -> None:
    postgres.reset()
    replicas = [await Store.open(postgres.url), await Store.open(postgres.url)]
    sent: list[float] = []
    try:
        await asyncio.gather(send_all(replicas[0], 1, sent), send_all(replicas[1], 1001, sent))
    finally:
        for replica in replicas:
            await replica.close()
    assert len(sent) == 2 * PER_REPLICA
    assert busiest_second(sent) <= LIMITS.overall
    assert max(sent) - min(sent) >= (len(sent) - 1) * 1.05 / 30 * 0.9


async def test_a_group_gets_20_turns_at_once_then_one_every_three_seconds(
        postgres: PostgresServer) -> None:
    postgres.reset()
    store = await Store.open(postgres.url)
    try:
        waits = [await store.db.reserve(slots(-100, LIMITS)) for _ in range(22)]
    finally:
        await store.close()
    assert max(waits[:20]) < 1.0                             # the overall spacing only
    assert 2.0 < waits[20] <= 3.0 and 5.0 < waits[21] <= 6.0  # 20 a minute


async def test_sqlite_serves_one_process_and_never_waits(tmp_path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3")
    try:
        assert [await store.db.reserve(slots(-100, LIMITS)) for _ in range(3)] == [0, 0, 0]
    finally:
        await store.close()
