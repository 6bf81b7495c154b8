"""Reading and writing a test database from outside the bot, as another process would (what a
crash would leave), on either engine."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg

from bot.storage.database import is_url
from bot.storage.postgres import translate


def rows(target: str | Path, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The committed rows of a query (`?` placeholders, as in the stores)."""
    if is_url(target):
        with psycopg.connect(str(target)) as connection:
            return [tuple(row) for row in connection.execute(translate(sql), args).fetchall()]
    with closing(sqlite3.connect(target)) as connection:
        return connection.execute(sql, args).fetchall()


def write_many(target: str | Path, sql: str, values: Iterable[Sequence[Any]]) -> None:
    """Run one statement for each row of values, committed."""
    if is_url(target):
        with psycopg.connect(str(target)) as connection, connection.cursor() as cursor:
            cursor.executemany(translate(sql), list(values))
        return
    with closing(sqlite3.connect(target)) as connection, connection:
        connection.executemany(sql, values)
