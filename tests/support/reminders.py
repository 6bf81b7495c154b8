"""Helpers for reminder tests: a fake clock and channel, fake deadlines, a test database."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.programme.deadlines import Deadline, Milestone
from bot.programme.reminder_policy import PlannedReminder
from bot.reminders.store import ReminderStore
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.store import connect

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


async def open_db(target: str | Path) -> Database:
    """The database at `target` (SQLite file or PostgreSQL URL), its schema up to date."""
    db = await connect(target)
    await migrate(db)
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


NAME = re.compile(r"^[A-Z][A-Z0-9-]*$")


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            nxt = value[i + 1]
            assert nxt in "\\;,nN", f"bad escape \\{nxt}"
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        assert char not in ";,", f"unescaped {char!r} in TEXT {value!r}"
        out.append(char)
        i += 1
    return "".join(out)


def parse(data: bytes) -> dict:
    """Strict: CRLF only, ≤ 75 octets a line, valid UTF-8 per line, balanced components."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    for line in physical:
        assert len(line) <= 75, line
        line.decode()                          # a UTF-8 character was not split
    lines: list[str] = []
    for line in (p.decode() for p in physical):
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    root: dict = {"components": []}
    stack = [root]
    for line in lines:
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        assert NAME.match(name), line
        if name == "BEGIN":
            component = {"type": value, "props": {}, "components": []}
            stack[-1]["components"].append(component)
            stack.append(component)
        elif name == "END":
            assert stack.pop()["type"] == value
        else:
            stack[-1]["props"].setdefault(name, []).append((tuple(params), value))
    assert len(stack) == 1
    [calendar] = root["components"]
    assert calendar["type"] == "VCALENDAR"
    return calendar


def prop(component: dict, name: str) -> str:
    [(_, value)] = component["props"][name]
    return value
