"""The SQLite engine (aiosqlite): one connection per process, writes grouped into commits
(bot/storage/transactions.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.database import Args, Database, Writer
from bot.storage.leader import SoleLeader
from bot.storage.transactions import settle, transaction

WAL_ATTEMPTS = 100
WAL_RETRY_DELAY = 0.05   # seconds between attempts: 5 s in all


class SqliteWriter(Writer):
    """Statements inside a savepoint of the shared connection."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection

    async def execute(self, sql: str, args: Args = ()) -> int:
        cursor = await self.connection.execute(sql, args)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Args]) -> None:
        await self.connection.executemany(sql, rows)

    async def fetchall(self, sql: str, args: Args = ()) -> list[Any]:
        return list(await self.connection.execute_fetchall(sql, args))


async def _enter_wal(connection: aiosqlite.Connection) -> None:
    """Switch the file to WAL; another process doing the same at that instant makes SQLite
    answer "database is locked" at once, without its busy wait, so wait here (5 s at most)."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            await connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == WAL_ATTEMPTS - 1:
                raise
            await asyncio.sleep(WAL_RETRY_DELAY)


class SqliteDatabase(Database):
    """A SQLite file (or ":memory:") on one aiosqlite connection."""

    engine = "sqlite"

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection

    @classmethod
    async def connect(cls, path: str | Path) -> SqliteDatabase:
        """Open (creating if needed) the file: WAL, full sync, 5 s wait for other writers."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path)
        try:
            connection.row_factory = aiosqlite.Row
            await connection.execute("PRAGMA busy_timeout=5000")
            await _enter_wal(connection)
            await connection.execute("PRAGMA synchronous=FULL")
        except BaseException:
            await connection.close()   # else its thread keeps the process alive for ever
            raise
        return cls(connection)

    @classmethod
    async def connect_uri(cls, uri: str) -> SqliteDatabase:
        """Open a SQLite URI as it is (`file:…?mode=ro`: read-only)."""
        connection = await aiosqlite.connect(uri, uri=True)
        connection.row_factory = aiosqlite.Row
        return cls(connection)

    async def fetchall(self, sql: str, args: Args = ()) -> list[Any]:
        return list(await self.connection.execute_fetchall(sql, args))  # one hop to the thread

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Writer]:
        async with transaction(self.connection) as connection:
            yield SqliteWriter(connection)

    def leadership(self) -> SoleLeader:
        """One process per file: always the leader."""
        return SoleLeader()

    async def close(self) -> None:
        try:
            await settle(self.connection)
        finally:
            await self.connection.close()
