"""One query layer over two engines: SQLite (aiosqlite, the embedded default) and PostgreSQL
(psycopg 3 and its pool, chosen by DATABASE_URL).

Stores write their SQL once, in the dialect both engines share: `?` placeholders,
`ON CONFLICT … DO …`, `RETURNING id`. `Database.fetchall`/`fetchone` read; `Database.write()`
is one write transaction whose `Writer` runs statements and returns what they changed.
Rows are read by position or by column name on both engines.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.storage.leader import Leadership

Args = Sequence[Any]


class Writer(abc.ABC):
    """The statements of one write transaction."""

    @abc.abstractmethod
    async def execute(self, sql: str, args: Args = ()) -> int:
        """Run one statement; how many rows it changed."""

    @abc.abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Args]) -> None:
        """Run one statement for each row of arguments."""

    @abc.abstractmethod
    async def fetchall(self, sql: str, args: Args = ()) -> list[Any]:
        """The rows of a query, inside this transaction."""

    async def insert(self, sql: str, args: Args = ()) -> int:
        """Run an INSERT of one row; the id it was given."""
        [row] = await self.fetchall(f"{sql} RETURNING id", args)
        return int(row[0])


class Database(abc.ABC):
    """An open database of either engine."""

    engine: str   # "sqlite" or "postgresql"

    @abc.abstractmethod
    async def fetchall(self, sql: str, args: Args = ()) -> list[Any]:
        """The rows of a query."""

    async def fetchone(self, sql: str, args: Args = ()) -> Any | None:
        """The first row of a query, or None."""
        rows = await self.fetchall(sql, args)
        return rows[0] if rows else None

    async def scalar(self, sql: str, args: Args = ()) -> Any:
        """The first column of the first row (None without a row)."""
        row = await self.fetchone(sql, args)
        return None if row is None else row[0]

    @abc.abstractmethod
    def write(self) -> AbstractAsyncContextManager[Writer]:
        """One write transaction: committed when the block ends, undone on any error."""

    async def reserve(self, slots: Sequence[tuple[str, float, float]]) -> float:
        """Take the next turn of each key for one message across the processes (`slots`: key,
        seconds between two turns, how many seconds of turns a burst may take ahead); how many
        seconds to wait before sending it.
        SQLite serves one process, whose limiters in memory suffice: no wait."""
        return 0.0

    @asynccontextmanager
    async def chat_lock(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat while one update of it is handled: across processes, another
        update of the same chat waits (SQLite: one process, nothing to hold)."""
        yield

    @abc.abstractmethod
    def leadership(self) -> Leadership:
        """Who sweeps among the processes on this database (bot/storage/leader.py)."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Finish the writes under way, then close."""


def is_url(target: object) -> bool:
    """Whether a database target is a PostgreSQL URL (else: a SQLite file)."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def missing_table(error: BaseException) -> bool:
    """Whether a query failed because its table does not exist (yet), on either engine."""
    return "no such table" in str(error) or getattr(error, "sqlstate", None) == "42P01"
