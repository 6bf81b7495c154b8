"""`python -m bot reminders`: the reminders still to send, read-only (the bot may be stopped)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core import formatting
from bot.programme.reminder_policy import clock_time
from bot.reminders.store import LISTED, ReminderStore
from bot.storage.database import Database, is_url, missing_table
from bot.storage.sqlite import SqliteDatabase


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingRow:
    """A reminder still to send, as the command line lists it."""

    id: int
    chat_id: int
    status: str
    due_at_utc: dt.datetime
    due_at_local: dt.datetime
    timezone: str
    text: str           # plain text, without HTML


def readonly_uri(path: str | Path) -> str:
    """The SQLite URI that opens an existing database file for reading only."""
    file = Path(path).resolve()
    if not file.is_file():
        raise FileNotFoundError(f"aucune base de données à {file}")
    return f"{file.as_uri()}?mode=ro"


async def open_readonly(target: str | Path) -> Database:
    """Open the database to read it (works while the bot is stopped; a SQLite file is opened
    read-only, a PostgreSQL one is only read)."""
    if is_url(target):
        from bot.storage.postgres import PostgresDatabase  # noqa: PLC0415 - psycopg: 70 ms
        return await PostgresDatabase.connect(str(target), size=1)
    return await SqliteDatabase.connect_uri(readonly_uri(target))


async def list_pending(db: Database,
                       statuses: Sequence[str] = LISTED) -> list[PendingRow]:
    """Reminders not known as sent, soonest first (read-only; empty if no table yet)."""
    try:
        rows = await ReminderStore(db).with_status(statuses)
    except Exception as error:
        if missing_table(error):
            return []
        raise
    return [PendingRow(id=r.id, chat_id=r.chat_id, status=r.status, due_at_utc=r.due_at,
                       due_at_local=r.local_due_at, timezone=r.timezone,
                       text=formatting.plain(r.text))
            for r in rows]


STATUS_LABELS = {"pending": "en attente", "sending": "en cours d'envoi",
                 "uncertain": "envoi interrompu, peut-être reçu", "blocked": "chat bloqué",
                 "failed": "échec", "sent": "envoyé", "cancelled": "annulé",
                 "skipped": "remplacé"}


def format_pending(rows: Sequence[PendingRow]) -> str:
    """The listing of `python -m bot reminders`: chat, due time local and UTC, text."""
    if not rows:
        return "Aucun rappel en attente."
    lines = [f"{len(rows)} rappel{'s' if len(rows) > 1 else ''} en attente :"]
    for row in rows:
        local = row.due_at_local
        lines.append(
            f"#{row.id} · chat {row.chat_id} · {formatting.date(local.date())} à "
            f"{clock_time(local)} ({row.timezone}) · {row.due_at_utc:%Y-%m-%d %H:%M} UTC"
            f" · {STATUS_LABELS.get(row.status, row.status)}")
        lines.extend(f"    {line}" for line in row.text.splitlines())
    return "\n".join(lines)
