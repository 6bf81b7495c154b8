"""Writers sharing the store's connection: none commits another's half, a failure undoes only
its own statements, a refused commit is reported to all it held, and every write that
returned is on disk, closing included."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest
import pytest_asyncio

from bot.storage.store import ConversationRow, Store
from bot.storage.transactions import WriteAborted, transaction
from tests.support.chat import FIXED_NOW


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store on a file; usage events wait for an explicit flush."""
    opened = await Store.open(tmp_path / "assistant.sqlite3", events_delay=3600)
    yield opened
    await opened.close()


def committed(path: Path, sql: str) -> list[tuple[object, ...]]:
    """What another connection sees (what a crash would leave)."""
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


class Writer:
    """A write that runs one statement, then waits to be released, then ends or fails."""

    def __init__(self, store: Store, sql: str, failure: Exception | None = None) -> None:
        self.store, self.sql, self.failure = store, sql, failure
        self.inside, self.release = asyncio.Event(), asyncio.Event()

    async def run(self) -> None:
        async with transaction(self.store.db.connection) as db:
            await db.execute(self.sql)
            self.inside.set()
            await self.release.wait()
            if self.failure is not None:
                raise self.failure


async def test_a_failed_transaction_is_undone_alone_and_the_others_wait_for_it(
        store: Store, tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite3"
    erase = Writer(store, "DELETE FROM conversations WHERE chat_id = 1",
                   RuntimeError("panne au milieu de l'effacement"))
    await store.save_conversation(1, 1, ConversationRow(seq=1), FIXED_NOW)
    erasing = asyncio.create_task(erase.run())
    await erase.inside.wait()
    store.events.add(2, "question_answered", FIXED_NOW)
    writers = [asyncio.create_task(store.save_conversation(2, 2, ConversationRow(seq=1),
                                                           FIXED_NOW)),
               asyncio.create_task(store.events.flush())]
    await asyncio.sleep(0.05)
    assert not any(w.done() for w in writers)  # they wait for the open transaction
    assert committed(path, "SELECT chat_id FROM conversations") == [(1,)]
    erase.release.set()
    with pytest.raises(RuntimeError):
        await erasing
    await asyncio.gather(*writers)
    assert committed(path, "SELECT chat_id FROM conversations ORDER BY chat_id") == [(1,), (2,)]
    assert committed(path, "SELECT chat_id FROM events") == [(2,)]


async def test_a_failed_event_batch_is_rolled_back_so_its_retry_counts_once(
        store: Store, tmp_path: Path) -> None:
    path = tmp_path / "assistant.sqlite3"
    await store.db.connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON events WHEN"
                           " NEW.chat_id = 99 BEGIN SELECT RAISE(ABORT, 'refusé'); END")
    await store.db.connection.commit()
    for chat_id in (3, 99):
        store.events.add(chat_id, "question_answered", FIXED_NOW)
    with pytest.raises(sqlite3.IntegrityError):
        await store.events.flush()
    assert store.events.pending == 2
    await store.save_conversation(3, 3, ConversationRow(seq=1), FIXED_NOW)  # commits
    assert committed(path, "SELECT count(*) FROM events") == [(0,)]
    await store.db.connection.execute("DROP TRIGGER refuse")
    await store.db.connection.commit()
    events = await store.events.since(FIXED_NOW - dt.timedelta(days=1))
    assert sorted(e.chat_id for e in events) == [3, 99]


async def in_one_commit(first: Writer, second: Writer) -> list[object]:
    """Run two writers so that the second's statements come while the first awaits its
    commit (both then share one commit); what each returned or raised."""
    second.release.set()
    writers = [asyncio.create_task(first.run())]
    await first.inside.wait()
    writers.append(asyncio.create_task(second.run()))  # queued behind the first
    await asyncio.sleep(0.02)
    first.release.set()  # done: its commit is queued behind the second writer
    return await asyncio.gather(*writers, return_exceptions=True)


INSERT_CHAT = "INSERT INTO chats (chat_id, active, updated_at) VALUES ({}, 1, 'x')"


async def test_a_failing_writer_undoes_its_own_statements_only(
        store: Store, tmp_path: Path) -> None:
    results = await in_one_commit(Writer(store, INSERT_CHAT.format(1)),
                                  Writer(store, INSERT_CHAT.format(2), RuntimeError("panne")))
    assert [type(r) for r in results] == [type(None), RuntimeError]
    assert committed(tmp_path / "assistant.sqlite3", "SELECT chat_id FROM chats") == [(1,)]


async def test_a_refused_commit_is_reported_to_every_writer_of_it_and_keeps_nothing(
        store: Store, tmp_path: Path) -> None:
    await store.db.connection.executescript(
        "PRAGMA foreign_keys = ON; CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        " CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent (id)"
        " DEFERRABLE INITIALLY DEFERRED);")  # checked at commit only
    results = await in_one_commit(Writer(store, "INSERT INTO child (parent) VALUES (99)"),
                                  Writer(store, INSERT_CHAT.format(2)))
    assert [type(r) for r in results] == [WriteAborted, WriteAborted]
    path = tmp_path / "assistant.sqlite3"
    assert committed(path, "SELECT count(*) FROM child") == [(0,)]
    assert committed(path, "SELECT count(*) FROM chats") == [(0,)]
    await store.save_conversation(3, 3, ConversationRow(seq=1), FIXED_NOW)  # goes on
    assert committed(path, "SELECT chat_id FROM conversations") == [(3,)]


async def test_closing_waits_for_the_writer_at_work(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "assistant.sqlite3", events_delay=3600)
    writer = Writer(store, INSERT_CHAT.format(4))
    writing = asyncio.create_task(writer.run())
    await writer.inside.wait()
    closing_task = asyncio.create_task(store.close())
    await asyncio.sleep(0.02)
    assert not closing_task.done()
    writer.release.set()
    await asyncio.gather(writing, closing_task)
    assert committed(tmp_path / "assistant.sqlite3", "SELECT chat_id FROM chats") == [(4,)]
