"""Write transactions on a shared SQLite connection: one writer at a time, commits in groups.

Every part of the assistant (conversations, reminders, announcements, usage counters, /oubli)
writes through the same aiosqlite connection, and SQLite has one transaction per connection.
`transaction(db)` runs each writer's statements alone, inside a savepoint of the connection's
open transaction: a writer that fails undoes its own statements and nobody else's. It returns
once a commit covers them; writers that finish while a commit is on its way share the next
one (one fsync for several answers, as a busy bot needs).

So a caller knows: `transaction` returned, the write is on disk; it raised an error, nothing of
it was kept. (A caller cancelled after its statements ran may still see them committed.)
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import aiosqlite

SAVEPOINT = "writer"
log = logging.getLogger(__name__)
# SQLite's words when the disk, not the query, is at fault
STORAGE_TROUBLE = ("disk is full", "disk i/o error")
PG_DISK_FULL = "53100"
STORAGE_WARNING_EVERY = 60.0  # seconds: one warning a minute, not a traceback per update


class WriteAborted(RuntimeError):
    """The transaction holding this write was lost before its commit (nothing was kept)."""


def storage_trouble(error: BaseException | None) -> bool:
    """Whether this error says the database cannot be written (disk full, file removed…):
    SQLite's words, or PostgreSQL's disk_full (53100)."""
    if getattr(error, "sqlstate", None) == PG_DISK_FULL:
        return True
    return isinstance(error, sqlite3.Error | WriteAborted) and \
        any(words in str(error).lower() for words in STORAGE_TROUBLE)


def warn_storage(db: aiosqlite.Connection, error: BaseException, what: str) -> None:
    """Log a storage failure of this connection: one warning a minute, without traceback."""
    writes = _writes.setdefault(db, _Writes())
    now = time.monotonic()
    if writes.warned_at is None or now - writes.warned_at >= STORAGE_WARNING_EVERY:
        writes.warned_at = now
        log.warning("Base de données non modifiable (%s) : %s ; prochain avertissement dans "
                    "%d s au plus tôt", error, what, STORAGE_WARNING_EVERY)


@dataclass
class _Writes:
    """The writers of one connection: the lock, the commit they wait for, the commits under way."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: asyncio.Future[None] | None = None  # writers done, waiting for the next commit
    commits: set[asyncio.Task[None]] = field(default_factory=set)
    warned_at: float | None = None  # last storage warning (warn_storage), monotonic seconds


_writes: WeakKeyDictionary[aiosqlite.Connection, _Writes] = WeakKeyDictionary()


@asynccontextmanager
async def transaction(db: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """One write on `db`: its statements alone, then committed (with others') before return;
    undone on any error."""
    writes = _writes.setdefault(db, _Writes())
    async with writes.lock:
        if db.in_transaction:
            await db.execute(f"SAVEPOINT {SAVEPOINT}")
        else:  # a savepoint opening the transaction would commit when released
            # IMMEDIATE: the write lock is taken now, waiting (busy_timeout) for another
            # connection's writer; a read-then-write transaction upgraded later could
            # not wait and would fail at once with "database is locked"
            await db.executescript(f"BEGIN IMMEDIATE; SAVEPOINT {SAVEPOINT};")
        try:
            yield db
        except BaseException:
            with suppress(sqlite3.Error):  # SQLite may have undone the whole transaction
                await db.execute(f"ROLLBACK TO {SAVEPOINT}")  # queued even if cancelled now
                await db.execute(f"RELEASE {SAVEPOINT}")
            raise
        try:
            await db.execute(f"RELEASE {SAVEPOINT}")
        finally:  # even if cancelled: what is released must not wait in an open transaction
            committed = _next_commit(db, writes)
    try:
        await asyncio.shield(committed)
    except WriteAborted as error:  # one exception per writer: the batch's is shared
        raise WriteAborted(*error.args) from error


async def settle(db: aiosqlite.Connection) -> None:
    """Wait until no writer is at work and every commit under way is done (before closing)."""
    writes = _writes.get(db)
    while writes is not None:
        async with writes.lock:  # the writers at work or queued before us finish first
            pass
        if not writes.commits:
            return
        await asyncio.gather(*writes.commits, return_exceptions=True)


def _next_commit(db: aiosqlite.Connection, writes: _Writes) -> asyncio.Future[None]:
    """The commit this writer waits for: the one being gathered, or a new one."""
    if writes.waiting is None:
        loop = asyncio.get_running_loop()
        batch: asyncio.Future[None] = loop.create_future()
        writes.waiting = batch
        task = loop.create_task(_commit(db, writes, batch), name="commit SQLite")
        writes.commits.add(task)
        task.add_done_callback(lambda done: _finished(writes, batch, done))
    return writes.waiting


async def _commit(db: aiosqlite.Connection, writes: _Writes,
                  batch: asyncio.Future[None]) -> None:
    """Commit for every writer done so far (they queued on the lock before this)."""
    async with writes.lock:
        if writes.waiting is batch:
            writes.waiting = None
        if not db.in_transaction:  # SQLite rolled it back (a disk error, say): all is lost
            _fail(batch, WriteAborted("transaction annulée par SQLite avant sa validation"))
            return
        try:
            await db.commit()
        except Exception as error:
            with suppress(Exception):
                await db.rollback()
            _fail(batch, WriteAborted(f"validation refusée : {error}"))
            return
        batch.set_result(None)


def _finished(writes: _Writes, batch: asyncio.Future[None], task: asyncio.Task[None]) -> None:
    """A commit task ended: forget it; if it was cancelled first, its writers are told."""
    writes.commits.discard(task)
    if writes.waiting is batch:
        writes.waiting = None
    if not batch.done():
        _fail(batch, WriteAborted("validation interrompue"))


def _fail(batch: asyncio.Future[None], error: Exception) -> None:
    batch.set_exception(error)
    batch.exception()  # marked as retrieved: a batch nobody awaits any more logs nothing
