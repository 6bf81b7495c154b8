"""The assistant's store on either engine (SQLite file, or PostgreSQL by URL): conversation
states, unanswered questions, chats that blocked the bot."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.storage import events
from bot.storage.database import Database, is_url
from bot.storage.migrations import migrate
from bot.storage.sqlite import SqliteDatabase


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One recorded unanswered question."""

    id: int
    question: str
    normalized: str
    asked_at: str
    candidates: tuple[tuple[str, float], ...]
    outcome: str | None = None   # what the user did with the suggestions: "chosen:<id>", "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationRow:
    """The stored state of a conversation: its turn counter and, if any, the flow it is in."""

    seq: int
    flow_id: str | None = None
    flow_version: int | None = None
    step: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    editing: bool = False


def _identity(path: Path) -> tuple[int, int] | None:
    """The file behind a path (device, inode), or None if there is none."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


class Store:
    """The assistant's database, opened once per process."""

    def __init__(self, db: Database,
                 events_delay: float = events.FLUSH_DELAY, path: Path | None = None) -> None:
        self.db = db
        self.events = events.EventLog(db, events_delay)
        self.path = path
        self._identity = _identity(path) if path is not None else None

    @classmethod
    async def open(cls, target: str | Path, *,
                   events_delay: float = events.FLUSH_DELAY) -> Store:
        """Open the database (a PostgreSQL URL, else a SQLite file, created if needed) and
        bring its schema up to date; usage events are written `events_delay` seconds after
        the first pending one."""
        db = await connect(target)
        try:
            await migrate(db)
        except BaseException:
            await db.close()
            raise
        path = None if is_url(target) or str(target) == ":memory:" else Path(target)
        return cls(db, events_delay, path)

    def problem(self) -> str | None:
        """Why the database cannot be written where it is (None: it can): its file or folder
        removed or replaced while open (writes would go to a file nobody sees), or not
        writable any more."""
        if self.path is None:
            return None
        identity = _identity(self.path)
        if identity is None:
            return f"fichier introuvable : {self.path}"
        if identity != self._identity:
            return f"fichier remplacé pendant le service : {self.path}"
        if not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK):
            return f"fichier ou dossier en lecture seule : {self.path}"
        return None

    async def close(self) -> None:
        """Write the pending usage events, then close the connection."""
        try:
            await self.events.close()
        finally:
            await self.db.close()

    async def conversation(self, chat_id: int, user_id: int) -> ConversationRow | None:
        """The stored state of a conversation, or None if it never had one."""
        rows = await self.db.fetchall(
            "SELECT seq, flow_id, flow_version, step, answers, history, editing"
            " FROM conversations WHERE chat_id = ? AND user_id = ?", (chat_id, user_id))
        if not rows:
            return None
        [row] = rows
        return ConversationRow(
            seq=row["seq"], flow_id=row["flow_id"], flow_version=row["flow_version"],
            step=row["step"], answers=json.loads(row["answers"]),
            history=tuple(json.loads(row["history"])), editing=bool(row["editing"]))

    async def save_conversation(self, chat_id: int, user_id: int, row: ConversationRow,
                                at: dt.datetime) -> None:
        """Write a conversation's state (one transaction, committed before returning)."""
        async with self.db.write() as db:
            await db.execute(
                "INSERT INTO conversations (chat_id, user_id, seq, flow_id, flow_version, step,"
                " answers, history, editing, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id, user_id) DO UPDATE SET seq = excluded.seq,"
                " flow_id = excluded.flow_id, flow_version = excluded.flow_version,"
                " step = excluded.step, answers = excluded.answers,"
                " history = excluded.history, editing = excluded.editing,"
                " updated_at = excluded.updated_at",
                (chat_id, user_id, row.seq, row.flow_id, row.flow_version, row.step,
                 json.dumps(row.answers, ensure_ascii=False), json.dumps(list(row.history)),
                 int(row.editing), at.isoformat()))

    async def record_unanswered(self, *, chat_id: int, user_id: int, question: str,
                                normalized: str, band: str,
                                candidates: list[dict[str, Any]], at: dt.datetime) -> int:
        """Record a question that got suggestions or the fallback; returns its id."""
        async with self.db.write() as db:
            return await db.insert(
                "INSERT INTO unanswered (asked_at, chat_id, user_id, question, normalized,"
                " band, candidates) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (at.isoformat(), chat_id, user_id, without_nul(question)[:2000],
                 without_nul(normalized)[:2000], band,
                 json.dumps(candidates, ensure_ascii=False)))

    async def set_unanswered_outcome(self, record_id: int, chat_id: int, outcome: str) -> bool:
        """Note what the user did with suggestions (picked one, or none); False if unknown."""
        async with self.db.write() as db:
            changed = await db.execute(
                "UPDATE unanswered SET outcome = ? WHERE id = ? AND chat_id = ?",
                (outcome, record_id, chat_id))
        return changed > 0

    async def unanswered_to_review(self) -> list[Record]:
        """Recorded questions the operator has not attached nor ignored yet, oldest first."""
        rows = await self.db.fetchall(
            "SELECT id, question, normalized, asked_at, candidates, outcome FROM unanswered"
            " WHERE review IS NULL ORDER BY id")
        return [Record(id=row["id"], question=row["question"], normalized=row["normalized"],
                       asked_at=row["asked_at"], outcome=row["outcome"],
                       candidates=tuple((c["id"], c["score"])
                                        for c in json.loads(row["candidates"])))
                for row in rows]

    async def set_review(self, record_ids: list[int], review: str) -> None:
        """Note the operator's decision on recorded questions ("attached:<id>", "ignored")."""
        async with self.db.write() as db:
            await db.executemany("UPDATE unanswered SET review = ? WHERE id = ?",
                                 [(review, record_id) for record_id in record_ids])

    async def set_chat_active(self, chat_id: int, active: bool, at: dt.datetime,
                              reason: str | None = None) -> None:
        """Mark a chat inactive (it blocked the bot: 403) or active again (it wrote again)."""
        async with self.db.write() as db:
            await db.execute(
                "INSERT INTO chats (chat_id, active, reason, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET active = excluded.active,"
                " reason = excluded.reason, updated_at = excluded.updated_at",
                (chat_id, int(active), reason[:500] if reason else None, at.isoformat()))

    async def inactive_chats(self) -> set[int]:
        """Chats not to send to until they write again."""
        return {row[0] for row in await self.db.fetchall(
            "SELECT chat_id FROM chats WHERE active = 0")}


async def connect(target: str | Path) -> Database:
    """The database at `target`: a PostgreSQL URL, else a SQLite file (created if needed)."""
    if is_url(target):
        from bot.storage.postgres import PostgresDatabase  # noqa: PLC0415 - psycopg: 70 ms
        return await PostgresDatabase.connect(str(target))
    return await SqliteDatabase.connect(target)


def without_nul(text: str) -> str:
    """Text as both engines store it: PostgreSQL refuses NUL characters in text."""
    return text.replace("\x00", "")
