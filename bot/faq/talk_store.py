"""What each conversation remembers between messages (bot/faq/followup.py: last subject, pending
suggestions), one row per chat member; erased by /oubli, purged with the retention."""

from __future__ import annotations

import datetime as dt
import json

from bot.faq.followup import Context
from bot.storage.database import Database


class TalkStore:
    """Reads and writes the conversation contexts."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, chat_id: int, user_id: int) -> Context:
        """The stored context (empty when none, or unreadable)."""
        rows = await self.db.fetchall(
            "SELECT context FROM talk_context WHERE chat_id = ? AND user_id = ?",
            (chat_id, user_id))
        if not rows:
            return Context()
        try:
            return Context.from_json(json.loads(rows[0]["context"]))
        except (ValueError, KeyError, TypeError):
            return Context()

    async def save(self, chat_id: int, user_id: int, context: Context, at: dt.datetime) -> None:
        """Write the context (an empty one deletes the row)."""
        data = context.to_json()
        async with self.db.write() as db:
            if not data:
                await db.execute("DELETE FROM talk_context WHERE chat_id = ? AND user_id = ?",
                                 (chat_id, user_id))
                return
            await db.execute(
                "INSERT INTO talk_context (chat_id, user_id, context, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, user_id) DO UPDATE SET"
                " context = excluded.context, updated_at = excluded.updated_at",
                (chat_id, user_id, json.dumps(data, ensure_ascii=False), at.isoformat()))
