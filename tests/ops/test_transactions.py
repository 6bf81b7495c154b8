"""Writers sharing the store's connection never commit, nor roll back, each other's halves."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.store import ConversationRow, Store
from bot.transactions import transaction
from tests.conftest import FIXED_NOW


def committed(path: Path, sql: str) -> list[tuple[object, ...]]:
    """What another connection sees (what a crash would leave)."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


async def test_a_failed_transaction_is_undone_alone_and_the_others_wait_for_it(
        tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite3"
    store = await Store.open(path, events_delay=3600)
    halfway, fail = asyncio.Event(), asyncio.Event()

    async def erase_that_fails() -> None:
        async with transaction(store.db) as db:
            await db.execute("DELETE FROM conversations WHERE chat_id = 1")
            halfway.set()
            await fail.wait()
            raise RuntimeError("panne au milieu de l'effacement")

    try:
        await store.save_conversation(1, 1, ConversationRow(seq=1), FIXED_NOW)
        erasing = asyncio.create_task(erase_that_fails())
        await halfway.wait()
        store.events.add(2, "question_answered", FIXED_NOW)
        writers = [asyncio.create_task(store.save_conversation(2, 2, ConversationRow(seq=1),
                                                               FIXED_NOW)),
                   asyncio.create_task(store.events.flush())]
        await asyncio.sleep(0.05)
        assert not any(w.done() for w in writers)  # they wait for the open transaction
        assert committed(path, "SELECT chat_id FROM conversations") == [(1,)]
        fail.set()
        with pytest.raises(RuntimeError):
            await erasing
        await asyncio.gather(*writers)
    finally:
        await store.close()
    assert committed(path, "SELECT chat_id FROM conversations ORDER BY chat_id") == [(1,), (2,)]
    assert committed(path, "SELECT chat_id FROM events") == [(2,)]


async def test_a_failed_event_batch_is_rolled_back_so_its_retry_counts_once(
        tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite3"
    store = await Store.open(path, events_delay=3600)
    try:
        await store.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON events WHEN"
                               " NEW.chat_id = 99 BEGIN SELECT RAISE(ABORT, 'refusé'); END")
        await store.db.commit()
        for chat_id in (3, 99):
            store.events.add(chat_id, "question_answered", FIXED_NOW)
        with pytest.raises(sqlite3.IntegrityError):
            await store.events.flush()
        assert store.events.pending == 2
        await store.save_conversation(3, 3, ConversationRow(seq=1), FIXED_NOW)  # commits
        assert committed(path, "SELECT count(*) FROM events") == [(0,)]
        await store.db.execute("DROP TRIGGER refuse")
        await store.db.commit()
        events = await store.events.since(FIXED_NOW - dt.timedelta(days=1))
    finally:
        await store.close()
    assert sorted(e.chat_id for e in events) == [3, 99]
