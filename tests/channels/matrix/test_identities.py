"""Matrix ids as integers (matrix_ids): stable, beyond Telegram's range, groups negative, and
written inside the engine's transactions on the shared connection."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.channels.matrix.identities import Identities
from bot.core.chat_ids import MATRIX_BASE, is_matrix
from bot.core.replies import is_group
from bot.storage.store import Store

NOW = dt.datetime(2021, 3, 1, 12, 0, tzinfo=dt.UTC)
TELEGRAM_MAX = 2**52  # Telegram ids have at most 52 significant bits


async def test_numbers_are_stable_and_beyond_telegram_ids(store: Store) -> None:
    identities = Identities(store.db)
    alice = await identities.user("@alice:example.org", NOW)
    direct = await identities.room("!dm:example.org", group=False, now=NOW)
    group = await identities.room("!group:example.org", group=True, now=NOW)
    assert len({alice, direct, group}) == 3
    assert all(is_matrix(n) and abs(n) > TELEGRAM_MAX for n in (alice, direct, group))
    assert is_group(group) and not is_group(direct) and alice > MATRIX_BASE
    again = Identities(store.db)  # a restart: read back, never renumbered
    assert await again.room("!group:example.org", group=False, now=NOW) == group
    assert await again.user("@alice:example.org", NOW) == alice
    assert await again.matrix_id(group) == "!group:example.org"
    assert await again.matrix_id(12345) is None  # a Telegram chat is none of ours


async def test_a_new_number_waits_for_the_engine_transaction_in_progress(store: Store) -> None:
    release = asyncio.Event()

    async def engine_turn() -> None:
        async with store.db.write() as db:
            await db.execute("INSERT INTO events (at, chat_id, kind) VALUES ('t', 1, 'x')")
            await release.wait()

    turn = asyncio.create_task(engine_turn())
    await asyncio.sleep(0.01)
    numbering = asyncio.create_task(Identities(store.db).user("@bob:example.org", NOW))
    await asyncio.sleep(0.05)
    release.set()
    await turn  # a commit in the middle of it would have lost its savepoint
    assert is_matrix(await numbering)
