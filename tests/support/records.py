"""Helpers for the operations tests: rows of every kind for a chat member, counted back."""

from __future__ import annotations

import datetime as dt

from bot.assistant import Assistant
from bot.broadcast.store import BroadcastStore
from bot.core.replies import Conversation
from bot.programme.deadlines import Milestone
from bot.reminders.store import ReminderStore
from tests.support.reminders import fake_reminders

# Every table that holds something about a chat or its members, and its chat column.
TABLES = ("conversations", "unanswered", "milestones", "reminders", "chat_territories",
          "subscriptions", "events", "chats", "blocked_chats", "broadcast_deliveries")


async def rows_of(assistant: Assistant, chat_id: int,
                  user_id: int | None = None) -> dict[str, int]:
    """How many rows each table holds for a chat (and, where there is one, a member); the
    usage events still in memory are written first (bot/storage/events.py writes in batches)."""
    await assistant.store.events.flush()
    counts = {}
    for table in TABLES:
        where, args = "chat_id = ?", [chat_id]
        if user_id is not None and table in ("conversations", "unanswered", "milestones"):
            where += " AND user_id = ?"
            args.append(user_id)
        counts[table] = await assistant.store.db.scalar(
            f"SELECT count(*) FROM {table} WHERE {where}", args)
    return counts


async def milestone_for(assistant: Assistant, conversation: Conversation, now: dt.datetime,
                        count: int = 3) -> int:
    """A milestone entered by this member with `count` pending reminders."""
    store = ReminderStore(assistant.store.db)
    return await store.add_milestone(
        chat_id=conversation.chat_id, user_id=conversation.user_id, territory="metropole",
        timezone="Europe/Paris", milestone=Milestone(kind="contrat_signe", date=now.date()),
        reminders=fake_reminders(count, now + dt.timedelta(days=30)), now=now)


async def subscribe(assistant: Assistant, chat_id: int, now: dt.datetime) -> None:
    await BroadcastStore(assistant.store.db).subscribe(chat_id, now)
