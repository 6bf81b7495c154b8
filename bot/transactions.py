"""Write transactions on a shared SQLite connection, one at a time.

Every part of the assistant (conversations, reminders, announcements, usage counters, /oubli)
writes through the same aiosqlite connection. SQLite has one transaction per connection: if a
writer committed while another was halfway through its own statements, it would commit that
half (and a rollback would undo the other's work). `transaction(db)` makes each writer wait
for the previous one to commit or roll back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from weakref import WeakKeyDictionary

import aiosqlite

_locks: WeakKeyDictionary[aiosqlite.Connection, asyncio.Lock] = WeakKeyDictionary()


@asynccontextmanager
async def transaction(db: aiosqlite.Connection) -> AsyncIterator[aiosqlite.Connection]:
    """One write transaction on `db`: committed at the end, rolled back on any error."""
    lock = _locks.setdefault(db, asyncio.Lock())
    async with lock:
        try:
            yield db
        except BaseException:
            await db.rollback()
            raise
        await db.commit()
