"""Helpers for reminder tests: a fake clock and channel, fake deadlines, a test database."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import aiosqlite

from bot.programme.deadlines import Deadline, Milestone
from bot.programme.reminder_policy import PlannedReminder
from bot.reminders.store import ReminderStore, ensure_schema

UTC = dt.UTC


class FakeClock:
    """An aware UTC clock that only moves when told to."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)

    def set(self, moment: dt.datetime) -> None:
        self.now = moment

    async def sleep(self, seconds: float) -> None:
        """Let other tasks run, then move time forward (no real waiting)."""
        await asyncio.sleep(0)
        self.advance(seconds)


async def open_db(path: Path) -> aiosqlite.Connection:
    db = await aiosqlite.connect(path)
    await db.execute("PRAGMA journal_mode=WAL")
    await db.execute("PRAGMA synchronous=NORMAL")
    await ensure_schema(db)
    return db


@dataclass
class Channel:
    """A fake send(chat_id, text) that records what it delivered and when."""

    clock: FakeClock
    sent: list[tuple[dt.datetime, int, str]] = field(default_factory=list)
    fail: dict[int, list[BaseException]] = field(default_factory=dict)   # chat → errors

    async def __call__(self, chat_id: int, text: str) -> None:
        errors = self.fail.get(chat_id)
        if errors:
            raise errors.pop(0)
        self.sent.append((self.clock(), chat_id, text))

    def texts(self, chat_id: int) -> list[str]:
        return [text for _, chat, text in self.sent if chat == chat_id]


def fake_deadline(kind: str, day: dt.date) -> Deadline:
    """A deadline not tied to any parameter, for sweep and store tests."""
    return Deadline(kind=kind, milestone=Milestone(kind="contrat_signe", date=day), date=day,
                    label=f"Échéance {kind}", sentence=f"l'échéance {kind} tombe le {day}",
                    explanation="Explication.", parameter="delai_signature_jours",
                    sources=("ami-2020",), citation="AMI", uncertain=False)


def fake_reminders(count: int, due_at: dt.datetime, *, timezone: str = "Europe/Paris",
                   deadline_day: dt.date | None = None) -> list[PlannedReminder]:
    """`count` reminders of distinct deadlines, all due at the same instant."""
    day = deadline_day or due_at.date()
    return [PlannedReminder(deadline=fake_deadline(f"k{i}", day), days_before=0,
                            day=due_at.date(), due_at=due_at, timezone=timezone,
                            text=f"rappel {i}")
            for i in range(count)]


async def add(store: ReminderStore, chat_id: int, reminders: list[PlannedReminder],
              now: dt.datetime, kind: str = "contrat_signe") -> int:
    """Record reminders for a chat under one milestone."""
    return await store.add_milestone(
        chat_id=chat_id, user_id=abs(chat_id), territory="metropole",
        timezone=reminders[0].timezone if reminders else "Europe/Paris",
        milestone=Milestone(kind=kind, date=now.date()), reminders=reminders, now=now)
