"""Matrix users and rooms as the integers the rest of the assistant keys everything by.

The store, reminders, statistics… know a chat and a member by an integer (Telegram's ids,
negative for groups: bot/core/replies.is_group). Matrix ids are strings (`@alice:example.org`,
`!room:example.org`): each gets a number `n` (the `matrix_ids` table, never reused) and stands
as `MATRIX_BASE + n`, negated for a group room. Telegram ids have at most 52 significant bits,
so every Matrix integer lies beyond 2**53 in absolute value and never meets one of them.
A room is direct or group from the moment it is first seen (two members or more); that choice
is kept so that its integer never changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from bot.core.chat_ids import MATRIX_BASE, is_matrix
from bot.storage.database import Database
from bot.storage.timestamps import ts

Kind = Literal["user", "direct", "group"]


def as_integer(n: int, kind: Kind) -> int:
    return -(MATRIX_BASE + n) if kind == "group" else MATRIX_BASE + n


class Identities:
    """The `matrix_ids` table, with the numbers already read kept in memory."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._numbers: dict[str, int] = {}
        self._ids: dict[int, str] = {}

    async def number(self, matrix_id: str, kind: Kind, now: dt.datetime) -> int:
        """The integer of a user or room, given one the first time it is seen."""
        known = self._numbers.get(matrix_id)
        if known is not None:
            return known
        async with self.db.write() as db:
            await db.execute(
                "INSERT INTO matrix_ids (matrix_id, kind, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (matrix_id) DO NOTHING", (matrix_id, kind, ts(now)))
        n, stored = await self.db.fetchone(
            "SELECT n, kind FROM matrix_ids WHERE matrix_id = ?", (matrix_id,))
        number = as_integer(n, stored)
        self._numbers[matrix_id], self._ids[number] = number, matrix_id
        return number

    async def user(self, user_id: str, now: dt.datetime) -> int:
        return await self.number(user_id, "user", now)

    async def room(self, room_id: str, *, group: bool, now: dt.datetime) -> int:
        return await self.number(room_id, "group" if group else "direct", now)

    async def matrix_id(self, number: int) -> str | None:
        """The Matrix id behind an integer (None: not one of ours)."""
        known = self._ids.get(number)
        if known is not None or not is_matrix(number):
            return known
        row = await self.db.fetchone("SELECT matrix_id FROM matrix_ids WHERE n = ?",
                                     (abs(number) - MATRIX_BASE,))
        if row is None:
            return None
        self._ids[number], self._numbers[row[0]] = row[0], number
        return str(row[0])
