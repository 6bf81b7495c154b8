"""The numbered options last shown to each member, kept in the database: after a restart,
"2" still presses the second option of the message the member has in front of them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from bot.core.replies import Button
from bot.storage.database import Database
from bot.storage.timestamps import ts


class ShownOptions:
    """The `matrix_options` table: one list of buttons per (chat, member)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, chat_id: int, user_id: int) -> list[Button]:
        row = await self.db.fetchone(
            "SELECT buttons FROM matrix_options WHERE chat_id = ? AND user_id = ?",
            (chat_id, user_id))
        return [Button(label, payload) for label, payload in json.loads(row[0])] if row else []

    async def put(self, chat_id: int, user_id: int, buttons: Sequence[Button],
                  now: dt.datetime) -> None:
        """Remember the options just shown (replacing the previous ones)."""
        async with self.db.write() as db:
            await db.execute(
                "INSERT INTO matrix_options (chat_id, user_id, buttons, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, user_id) DO UPDATE SET "
                "buttons = excluded.buttons, updated_at = excluded.updated_at",
                (chat_id, user_id, json.dumps([[b.label, b.payload] for b in buttons]),
                 ts(now)))
