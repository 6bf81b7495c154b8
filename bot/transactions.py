"""Write transactions on a shared SQLite connection: one at a time, committed in groups.

Every part of the assistant (conversations, reminders, announcements, usage counters, /oubli)
writes through the same aiosqlite connection, and SQLite has one transaction per connection.
`transaction(db)` runs each writer's statements alone (the others wait), so that nobody commits
another's half; then it returns once a commit covers them. Writers that finish while a commit
is on its way share the next one: one fsync for several answers, as a busy bot needs.

A writer that fails rolls back the open transaction: its own statements, and those of the
writers waiting for the same commit, who then get WriteAborted. Each caller thus knows for
sure: `transaction` returned, the write is on disk; it raised, nothing of it was kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import aiosqlite


class WriteAborted(RuntimeError):
    """This write was rolled back because another one, awaiting the same commit, failed."""


@dataclass
class _Writes:
    """The writers of one connection: the lock, the commit they wait for, its committer."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: asyncio.Future[None] | None = None  # writers done, waiting for the next commit
    committer: asyncio.Task[None] | None = None


_writes: WeakKeyDictionary[aiosqlite.Connection, _Writes] = WeakKeyDictionary()


@asynccontextmanager
async def transaction(db: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """One write on `db`: its statements alone, then committed (with others') before return;
    rolled back on any error."""
    writes = _writes.setdefault(db, _Writes())
    async with writes.lock:
        try:
            yield db
        except BaseException:
            await _roll_back(db, writes)
            raise
        if writes.waiting is None:
            writes.waiting = asyncio.get_running_loop().create_future()
        committed = writes.waiting
        if writes.committer is None:
            writes.committer = asyncio.get_running_loop().create_task(
                _commit_waiting(db, writes), name="commit SQLite")
    await asyncio.shield(committed)


async def settle(db: aiosqlite.Connection) -> None:
    """Wait for the commit under way, if any (before closing the connection)."""
    writes = _writes.get(db)
    if writes is not None and writes.committer is not None:
        with suppress(Exception):
            await asyncio.shield(writes.committer)


async def _commit_waiting(db: aiosqlite.Connection, writes: _Writes) -> None:
    """Commit for every writer done so far, again while more are done meanwhile."""
    try:
        while writes.waiting is not None:
            async with writes.lock:  # behind the writers already queued: they join this commit
                done, writes.waiting = writes.waiting, None
                if done is None:  # rolled back meanwhile: nothing left to commit
                    continue
                try:
                    await db.commit()
                except Exception as error:  # the writers get it; nothing of theirs is kept
                    with suppress(Exception):
                        await db.rollback()
                    _fail(done, error)
                else:
                    done.set_result(None)
    finally:
        writes.committer = None


async def _roll_back(db: aiosqlite.Connection, writes: _Writes) -> None:
    """Undo the open transaction (the lock is held); its other writers are told."""
    await db.rollback()
    if writes.waiting is not None:
        _fail(writes.waiting, WriteAborted("annulée avec une autre écriture qui a échoué"))
        writes.waiting = None


def _fail(waiting: asyncio.Future[None], error: Exception) -> None:
    waiting.set_exception(error)
    waiting.exception()  # marked as retrieved: a batch nobody awaits any more logs nothing
