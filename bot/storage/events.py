"""Usage counters for /stats: one small row per event (when, which chat, what), no text.

Kinds: question_answered (an FAQ answer or a computation), question_suggested,
question_fallback, flow_started, flow_completed. Rows older than the retention are purged
(bot/privacy/erasure.py); /oubli erases a private chat's rows.

Events are written in batches (`EventLog`): one insert and one commit about a second after
the first pending one, not a commit per event. A hard crash may lose that last second of
counters; conversation states, reminders and announcements keep their commit before return.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from bot.storage.database import Database
from bot.storage.timestamps import parse_ts, ts
from bot.storage.transactions import storage_trouble, warn_storage

log = logging.getLogger(__name__)
FLUSH_DELAY = 1.0   # seconds between the first pending event and its write
KINDS = ("question_answered", "question_suggested", "question_fallback", "flow_started",
         "flow_completed")
QUESTION_KINDS = {"faq": "question_answered", "compute": "question_answered",
                  "suggest": "question_suggested", "fallback": "question_fallback"}



@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in a chat, at an instant (UTC)."""

    at: dt.datetime
    chat_id: int
    kind: str


class EventLog:
    """Events kept in memory, then written in one batch about `delay` seconds later."""

    def __init__(self, db: Database, delay: float = FLUSH_DELAY) -> None:
        self.db = db
        self.delay = delay
        self._pending: list[tuple[str, int, str]] = []
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()   # one write at a time; close waits for the one running

    @property
    def pending(self) -> int:
        """How many events are not written yet."""
        return len(self._pending)

    def add(self, chat_id: int, kind: str, at: dt.datetime) -> None:
        """Count one event; it is written by the next flush (scheduled if none is)."""
        self._pending.append((ts(at), chat_id, kind))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._flush_later(), name="statistiques d'usage")

    async def flush(self) -> None:
        """Write every pending event now: one insert, one commit (raises if that fails)."""
        async with self._lock:
            await self._write()

    async def since(self, start: dt.datetime) -> list[Event]:
        """The events from `start` on, oldest first, pending ones included."""
        await self.flush()
        rows = await self.db.fetchall(
            "SELECT at, chat_id, kind FROM events WHERE at >= ? ORDER BY at", (ts(start),))
        return [Event(parse_ts(row[0]), row[1], row[2]) for row in rows]

    async def close(self) -> None:
        """Write what is pending (logged if that fails) and stop the scheduled flush."""
        async with self._lock:   # a flush in progress ends first: the task is then idle
            task = self._task
            if task is not None:
                task.cancel()
            try:
                await self._write()
            except Exception:
                log.exception("%s événement(s) d'usage perdus à la fermeture", self.pending)
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def _flush_later(self) -> None:
        """Wait, write, again while events came meanwhile; a failure is logged, rows kept."""
        try:
            while self._pending:
                await asyncio.sleep(self.delay)
                await self.flush()
        except Exception as error:
            if storage_trouble(error):
                warn_storage(self.db, error,
                             f"{self.pending} événement(s) d'usage gardés en mémoire")
            else:
                log.exception("écriture des statistiques d'usage échouée, %s événement(s) "
                              "gardés pour la prochaine fois", self.pending)

    async def _write(self) -> None:
        """The batch itself (the lock is held); on failure the rows go back in front."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        try:
            async with self.db.write() as db:  # rolled back if it fails: no double count
                await db.executemany(
                    "INSERT INTO events (at, chat_id, kind) VALUES (?, ?, ?)", rows)
        except Exception:
            self._pending[:0] = rows
            raise
