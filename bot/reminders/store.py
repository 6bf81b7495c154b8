"""Repository of milestones and reminders: reminders are rows, never in-memory jobs.

Times are stored as UTC text in one fixed format ("2021-03-09T08:00:00.000000Z"), so that
comparing the text compares the instants. A reminder's life:

    pending ──claim──▶ sending ──▶ sent
       │ ▲                │ ├──▶ pending (retry later: 429 or transient error, `not_before`)
       │ └── unblock ─┐   │ ├──▶ failed (too many attempts, or a permanent error)
       │              │   │ └──▶ blocked (403: the user blocked the bot; the chat is blocked)
       ├──▶ cancelled (by the user, or its milestone was replaced)
       ├──▶ blocked ──┘
       └──▶ skipped (catch-up: a later reminder of the same deadline is also due)
    sending ──(found at start-up, older than a few minutes)──▶ uncertain (never re-sent)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.programme.deadlines import Milestone
from bot.programme.reminder_policy import PlannedReminder
from bot.storage.delivery_rows import DeliveryRows, suspend_chat
from bot.storage.timestamps import parse_ts, ts

UTC = dt.UTC
STATUSES = ("pending", "sending", "sent", "cancelled", "failed", "blocked", "skipped",
            "uncertain")
LISTED = ("pending", "sending", "uncertain")



@dataclass(frozen=True, slots=True, kw_only=True)
class StoredMilestone:
    """A milestone as recorded for a chat."""

    id: int
    chat_id: int
    milestone: Milestone
    territory: str
    timezone: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredReminder:
    """A reminder row."""

    id: int
    chat_id: int
    milestone_id: int
    deadline_kind: str
    deadline_date: dt.date
    days_before: int
    due_at: dt.datetime
    timezone: str
    sentence: str
    explanation: str
    citation: str
    text: str
    status: str
    attempts: int
    not_before: dt.datetime | None
    last_error: str | None
    sent_at: dt.datetime | None

    @property
    def local_due_at(self) -> dt.datetime:
        return self.due_at.astimezone(ZoneInfo(self.timezone))


_COLUMNS = ("id, chat_id, milestone_id, deadline_kind, deadline_date, days_before, due_at, "
            "timezone, sentence, explanation, citation, text, status, attempts, not_before, "
            "last_error, sent_at")


def _reminder(row: Sequence) -> StoredReminder:
    return StoredReminder(
        id=row[0], chat_id=row[1], milestone_id=row[2], deadline_kind=row[3],
        deadline_date=dt.date.fromisoformat(row[4]), days_before=row[5],
        due_at=parse_ts(row[6]), timezone=row[7], sentence=row[8], explanation=row[9],
        citation=row[10], text=row[11], status=row[12], attempts=row[13],
        not_before=parse_ts(row[14]) if row[14] else None, last_error=row[15],
        sent_at=parse_ts(row[16]) if row[16] else None)


class ReminderStore(DeliveryRows):
    """Milestones and reminders of all chats, on an open database."""

    TABLE = "reminders"

    async def _select(self, sql: str, args: Sequence = ()) -> list[StoredReminder]:
        return [_reminder(row) for row in await self.db.fetchall(sql, args)]

    # --- milestones -------------------------------------------------------------------

    async def add_milestone(self, *, chat_id: int, user_id: int, milestone: Milestone,
                            territory: str, timezone: str,
                            reminders: Iterable[PlannedReminder], now: dt.datetime) -> int:
        """Record a milestone and its reminders; it replaces the chat's one of the same kind.

        The replaced milestone is marked cancelled and its reminders still to send are
        cancelled. The chat is no longer considered blocked (its user is talking to us), and
        the territory becomes the chat's known one.
        """
        stamp = ts(now)
        async with self._write() as db:
            await db.execute(
                "UPDATE reminders SET status = 'cancelled', updated_at = ? WHERE status IN"
                " ('pending', 'blocked') AND milestone_id IN (SELECT id FROM milestones"
                " WHERE chat_id = ? AND kind = ? AND cancelled_at IS NULL)",
                (stamp, chat_id, milestone.kind))
            await db.execute(
                "UPDATE milestones SET cancelled_at = ? WHERE chat_id = ? AND kind = ?"
                " AND cancelled_at IS NULL", (stamp, chat_id, milestone.kind))
            await db.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))
            await db.execute(
                "INSERT INTO chat_territories (chat_id, territory, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET territory = excluded.territory,"
                " updated_at = excluded.updated_at", (chat_id, territory, stamp))
            milestone_id = await db.insert(
                "INSERT INTO milestones (chat_id, user_id, kind, date, territory, timezone,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (chat_id, user_id, milestone.kind, milestone.date.isoformat(), territory,
                 timezone, stamp))
            await db.executemany(
                "INSERT INTO reminders (chat_id, milestone_id, deadline_kind, deadline_date,"
                " days_before, due_at, timezone, sentence, explanation, citation, text,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(chat_id, milestone_id, r.deadline.kind, r.deadline.date.isoformat(),
                  r.days_before, ts(r.due_at), r.timezone, r.deadline.sentence,
                  r.deadline.explanation, r.deadline.citation, r.text, stamp, stamp)
                 for r in reminders])
        return milestone_id

    async def milestones(self, chat_id: int) -> list[StoredMilestone]:
        """The chat's active milestones, in the order they were entered."""
        rows = await self.db.fetchall(
            "SELECT id, chat_id, kind, date, territory, timezone FROM milestones"
            " WHERE chat_id = ? AND cancelled_at IS NULL ORDER BY id", (chat_id,))
        return [StoredMilestone(id=r[0], chat_id=r[1], territory=r[4], timezone=r[5],
                                milestone=Milestone(kind=r[2],
                                                    date=dt.date.fromisoformat(r[3])))
                for r in rows]

    async def last_territory(self, chat_id: int) -> str | None:
        """The territory of the chat's latest milestone, if any."""
        rows = await self.db.fetchall(
            "SELECT territory FROM milestones WHERE chat_id = ? ORDER BY id DESC LIMIT 1",
            (chat_id,))
        return rows[0][0] if rows else None

    async def remember_territory(self, chat_id: int, territory: str,
                                 now: dt.datetime) -> None:
        """The chat's territory, as answered in any questionnaire (a simulation…)."""
        async with self._write() as db:
            await db.execute(
                "INSERT INTO chat_territories (chat_id, territory, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET territory = excluded.territory,"
                " updated_at = excluded.updated_at", (chat_id, territory, ts(now)))

    async def known_territory(self, chat_id: int) -> str | None:
        """The territory the chat last gave: in a questionnaire, else with a milestone."""
        rows = await self.db.fetchall(   # read at each questionnaire step
            "SELECT territory FROM chat_territories WHERE chat_id = ?", (chat_id,))
        return rows[0][0] if rows else await self.last_territory(chat_id)

    async def cancel_milestone(self, chat_id: int, milestone_id: int,
                               now: dt.datetime) -> bool:
        """Cancel one of the chat's milestones and its reminders still to send."""
        stamp = ts(now)
        async with self._write() as db:
            cancelled = await db.execute(
                "UPDATE milestones SET cancelled_at = ? WHERE id = ? AND chat_id = ?"
                " AND cancelled_at IS NULL", (stamp, milestone_id, chat_id))
            if cancelled:
                await db.execute(
                    "UPDATE reminders SET status = 'cancelled', updated_at = ?"
                    " WHERE milestone_id = ? AND status IN ('pending', 'blocked')",
                    (stamp, milestone_id))
        return cancelled > 0

    # --- what users see and do ----------------------------------------------------------

    async def pending(self, chat_id: int | None = None) -> list[StoredReminder]:
        """Reminders still to send, soonest first; of one chat, or of all."""
        where, args = ("AND chat_id = ?", (chat_id,)) if chat_id is not None else ("", ())
        return await self._select(
            f"SELECT {_COLUMNS} FROM reminders WHERE status = 'pending' {where}"
            " ORDER BY due_at, id", args)

    async def with_status(self, statuses: Sequence[str]) -> list[StoredReminder]:
        """Reminders of all chats in these statuses, soonest first."""
        marks = ", ".join("?" for _ in statuses)
        return await self._select(
            f"SELECT {_COLUMNS} FROM reminders WHERE status IN ({marks})"
            " ORDER BY due_at, id", tuple(statuses))

    async def get(self, reminder_id: int) -> StoredReminder | None:
        found = await self._select(f"SELECT {_COLUMNS} FROM reminders WHERE id = ?",
                                   (reminder_id,))
        return found[0] if found else None

    async def cancel(self, chat_id: int, reminder_id: int, now: dt.datetime) -> bool:
        """Cancel one reminder of this chat (only if still to send)."""
        async with self._write() as db:
            return await db.execute(
                "UPDATE reminders SET status = 'cancelled', updated_at = ? WHERE id = ?"
                " AND chat_id = ? AND status IN ('pending', 'blocked')",
                (ts(now), reminder_id, chat_id)) > 0

    async def cancel_all(self, chat_id: int, now: dt.datetime) -> int:
        """Cancel every reminder of this chat still to send; returns how many."""
        async with self._write() as db:
            return await db.execute(
                "UPDATE reminders SET status = 'cancelled', updated_at = ? WHERE chat_id = ?"
                " AND status IN ('pending', 'blocked')", (ts(now), chat_id))

    # --- the sweep ------------------------------------------------------------------------

    async def due(self, now: dt.datetime, limit: int = 1000) -> list[StoredReminder]:
        """Reminders to send now (due, not waiting for a retry, chat not blocked), oldest first."""
        stamp = ts(now)
        return await self._select(
            f"SELECT {_COLUMNS} FROM reminders WHERE status = 'pending' AND due_at <= ?"
            " AND (not_before IS NULL OR not_before <= ?)"
            " AND chat_id NOT IN (SELECT chat_id FROM blocked_chats)"
            " ORDER BY due_at, id LIMIT ?", (stamp, stamp, limit))

    async def skip_superseded(self, now: dt.datetime) -> int:
        """Catch-up: skip a due reminder when a later one of the same deadline is due too."""
        stamp = ts(now)
        async with self._write() as db:
            return await db.execute(
                "UPDATE reminders SET status = 'skipped', updated_at = ?,"
                " last_error = 'remplacé par un rappel plus récent de la même échéance'"
                " WHERE status = 'pending' AND due_at <= ? AND EXISTS (SELECT 1 FROM"
                " reminders AS later WHERE later.milestone_id = reminders.milestone_id"
                " AND later.deadline_kind = reminders.deadline_kind"
                " AND later.status = 'pending' AND later.due_at <= ?"
                " AND later.due_at > reminders.due_at)", (stamp, stamp, stamp))

    async def claim(self, reminder_id: int, now: dt.datetime) -> StoredReminder | None:
        """Mark a pending reminder 'sending' (committed before it is sent); None if gone."""
        return await self.get(reminder_id) if await self._claim_row(reminder_id, now) else None

    async def block_chat(self, chat_id: int, *, now: dt.datetime, reason: str) -> int:
        """Stop sending to a chat (403): its reminders to send become 'blocked' (kept).

        They are kept rather than cancelled so that `unblock_chat` can bring back those
        still to come if the user talks to the bot again. Returns how many were blocked.
        """
        async with self._write() as db:
            return await suspend_chat(db, chat_id, ts(now), reason)

    async def unblock_chat(self, chat_id: int, now: dt.datetime) -> int:
        """The user is back: send again; blocked reminders still to come become pending."""
        stamp = ts(now)
        async with self._write() as db:
            await db.execute("DELETE FROM blocked_chats WHERE chat_id = ?", (chat_id,))
            return await db.execute(
                "UPDATE reminders SET status = 'pending', updated_at = ?, not_before = NULL"
                " WHERE chat_id = ? AND status = 'blocked' AND due_at > ?",
                (stamp, chat_id, stamp))

    async def is_blocked(self, chat_id: int) -> bool:
        """Are the chat's reminders suspended (403)? One hop: it is asked at every update."""
        return bool(await self.db.fetchall(
            "SELECT 1 FROM blocked_chats WHERE chat_id = ?", (chat_id,)))

    async def counts(self) -> dict[str, int]:
        """How many reminders in each status."""
        return {row[0]: row[1] for row in await self.db.fetchall(
            "SELECT status, count(*) FROM reminders GROUP BY status")}


# --- `python -m bot reminders` -------------------------------------------------------------
