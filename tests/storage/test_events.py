"""Usage events are written in batches: a short while after the first one with no other write,
when the store closes, before /stats reads and before /oubli erases; a failed write keeps
them for the next try."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import build_assistant
from bot.content.loader import Content
from bot.storage.store import Store
from tests.support.chat import FIXED_NOW, Chat

QUESTION = "combien de temps dure la formation du conseiller ?"
FALLBACK_QUESTION = "quelle est la couleur du ciel sur mars"
SHORT = 0.02     # seconds: the flush delay of these tests
NEVER = 3600.0   # no scheduled flush during the test


def counter(path: Path) -> Callable[[int], int]:
    """Committed events of a chat, read by another connection (as after a crash)."""
    def count(chat_id: int) -> int:
        with closing(sqlite3.connect(path)) as db:
            return db.execute("SELECT count(*) FROM events WHERE chat_id = ?",
                              (chat_id,)).fetchone()[0]
    return count


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait for `condition`, polling, at most `seconds`."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest_asyncio.fixture
async def quick(path: Path) -> AsyncIterator[Store]:
    """A store that writes its events SHORT seconds after the first pending one."""
    store = await Store.open(path, events_delay=SHORT)
    yield store
    await store.close()


async def test_events_become_rows_shortly_without_any_other_write(
        content: Content, quick: Store, path: Path) -> None:
    alice = Chat(build_assistant(content, quick, clock=lambda: FIXED_NOW), 11, 11)
    count = counter(path)
    await alice.say(QUESTION)             # an FAQ answer: nothing awaited after the event
    assert count(11) == 0 and quick.events.pending == 1     # no commit per event
    await until(lambda: count(11) == 1)
    assert quick.events.pending == 0
    await alice.say(QUESTION)                                # a new batch is scheduled
    await alice.say("/eligibilite")
    await until(lambda: count(11) == 3)


async def test_closing_the_store_writes_the_pending_events(content: Content,
                                                           path: Path) -> None:
    store = await Store.open(path, events_delay=NEVER)
    alice = Chat(build_assistant(content, store, clock=lambda: FIXED_NOW), 11, 11)
    await alice.say(QUESTION)
    await alice.say(FALLBACK_QUESTION)
    assert counter(path)(11) == 0
    await store.close()
    assert counter(path)(11) == 2
    current = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not current and not t.done()] == []
    reopened = await Store.open(path)
    try:
        kinds = [e.kind for e in await reopened.events.since(FIXED_NOW)]
    finally:
        await reopened.close()
    assert kinds == ["question_answered", "question_fallback"]


async def test_forget_erases_the_events_still_in_memory(content: Content, path: Path) -> None:
    store = await Store.open(path, events_delay=NEVER)
    assistant = build_assistant(content, store, clock=lambda: FIXED_NOW)
    alice, bob = Chat(assistant, 11, 11), Chat(assistant, 22, 22)
    await alice.say(QUESTION)
    await alice.say(QUESTION)
    await bob.say(QUESTION)
    await alice.say("/oubli")
    await alice.press("Oui, tout effacer")
    assert alice.text.startswith("C'est effacé : 2 statistiques d'usage")
    assert store.events.pending == 0
    await store.close()
    count = counter(path)
    assert (count(11), count(22)) == (0, 1)                  # Bob's kept


async def test_a_failed_write_is_logged_and_its_events_kept(
        content: Content, quick: Store, path: Path, caplog: pytest.LogCaptureFixture) -> None:
    alice = Chat(build_assistant(content, quick, clock=lambda: FIXED_NOW), 11, 11)
    failed = "écriture des statistiques d'usage échouée"
    await quick.db.connection.execute("ALTER TABLE events RENAME TO events_away")
    await quick.db.connection.commit()
    with caplog.at_level(logging.ERROR, logger="bot.storage.events"):
        await alice.say(QUESTION)
        await until(lambda: failed in caplog.text)
        assert "1 événement(s) gardés pour la prochaine fois" in caplog.text
        assert quick.events.pending == 1
        await alice.say(FALLBACK_QUESTION)                   # a new batch is scheduled…
        await until(lambda: caplog.text.count(failed) == 2)
    assert "2 événement(s) gardés" in caplog.text
    assert quick.events.pending == 2                         # …and fails again, nothing lost
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await quick.events.flush()                           # /stats, /oubli see the error
    assert quick.events.pending == 2

    await quick.db.connection.execute("ALTER TABLE events_away RENAME TO events")
    await quick.db.connection.commit()
    await alice.say(QUESTION)
    await until(lambda: counter(path)(11) == 3)
    assert [e.kind for e in await quick.events.since(FIXED_NOW)] == [
        "question_answered", "question_fallback", "question_answered"]
