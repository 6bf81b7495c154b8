"""Usage counters for /stats: one small row per event (when, which chat, what), no text.

Kinds: question_answered (an FAQ answer or a computation), question_suggested,
question_fallback, flow_started, flow_completed. Rows older than the retention are purged
(bot/privacy.py); /oubli erases a private chat's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import aiosqlite

from bot.reminder_store import parse_ts, ts

KINDS = ("question_answered", "question_suggested", "question_fallback", "flow_started",
         "flow_completed")
QUESTION_KINDS = {"faq": "question_answered", "compute": "question_answered",
                  "suggest": "question_suggested", "fallback": "question_fallback"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_at ON events(at);
CREATE INDEX IF NOT EXISTS events_chat ON events(chat_id);
"""


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in a chat, at an instant (UTC)."""

    at: dt.datetime
    chat_id: int
    kind: str


async def record(db: aiosqlite.Connection, chat_id: int, kind: str, at: dt.datetime) -> None:
    """Count one event (committed at once)."""
    await db.execute("INSERT INTO events (at, chat_id, kind) VALUES (?, ?, ?)",
                     (ts(at), chat_id, kind))
    await db.commit()


async def since(db: aiosqlite.Connection, start: dt.datetime) -> list[Event]:
    """The events from `start` on, oldest first."""
    async with db.execute("SELECT at, chat_id, kind FROM events WHERE at >= ? ORDER BY at",
                          (ts(start),)) as cursor:
        return [Event(parse_ts(row[0]), row[1], row[2]) for row in await cursor.fetchall()]
