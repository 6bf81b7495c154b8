"""Rows to deliver at most once: the claim → sent discipline shared by reminders and
announcements (a row is 'sending', committed, before its message leaves; 'sent' after)."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractAsyncContextManager
from typing import ClassVar

from bot.storage.database import Database, Writer
from bot.storage.timestamps import parse_ts, ts


class DeliveryRows:
    """The status transitions of one table of rows to deliver (`TABLE`)."""

    TABLE: ClassVar[str]

    def __init__(self, db: Database) -> None:
        self.db = db

    def _write(self) -> AbstractAsyncContextManager[Writer]:
        """One write transaction."""
        return self.db.write()

    async def _claim_row(self, row_id: int, now: dt.datetime) -> bool:
        """Mark a pending row 'sending' (committed before it is sent); False if gone."""
        async with self._write() as db:
            return bool(await db.execute(
                f"UPDATE {self.TABLE} SET status = 'sending', claimed_at = ?, updated_at = ?,"
                " attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
                (ts(now), ts(now), row_id)))

    async def mark_sent(self, row_id: int, now: dt.datetime) -> None:
        """The message went out."""
        async with self._write() as db:
            await db.execute(
                f"UPDATE {self.TABLE} SET status = 'sent', sent_at = ?, updated_at = ?,"
                " last_error = NULL WHERE id = ? AND status IN ('sending', 'uncertain')",
                (ts(now), ts(now), row_id))

    async def retry_later(self, row_id: int, *, at: dt.datetime, error: str,
                          now: dt.datetime, count_attempt: bool = True) -> None:
        """Back to pending, not before `at`; a 429 does not count as an attempt."""
        async with self._write() as db:
            await db.execute(
                f"UPDATE {self.TABLE} SET status = 'pending', not_before = ?, last_error = ?,"
                " attempts = attempts - ?, updated_at = ? WHERE id = ?"
                " AND status IN ('sending', 'uncertain')",
                (ts(at), error[:500], 0 if count_attempt else 1, ts(now), row_id))

    async def mark_uncertain(self, row_id: int, *, error: str, now: dt.datetime) -> None:
        """Sent, but no answer came back: maybe received, never sent again."""
        async with self._write() as db:
            await db.execute(
                f"UPDATE {self.TABLE} SET status = 'uncertain', last_error = ?, updated_at = ?"
                " WHERE id = ? AND status = 'sending'", (error[:500], ts(now), row_id))

    async def mark_failed(self, row_id: int, *, error: str, now: dt.datetime) -> None:
        """Given up."""
        async with self._write() as db:
            await db.execute(
                f"UPDATE {self.TABLE} SET status = 'failed', last_error = ?, updated_at = ?"
                " WHERE id = ? AND status IN ('sending', 'uncertain')",
                (error[:500], ts(now), row_id))

    async def recent_sends(self, since: dt.datetime) -> list[tuple[int, dt.datetime]]:
        """(chat, when) of the rows sent since `since`, by this process or an earlier one:
        Telegram still counts them against its flood limits. "When" errs late (the answer's
        time once sent, else the claim's), so that a restarted sweep errs on the slow side."""
        rows = await self.db.fetchall(
            f"SELECT chat_id, coalesce(sent_at, claimed_at) AS at FROM {self.TABLE}"
            " WHERE claimed_at >= ? AND status IN ('sending', 'sent', 'uncertain')"
            " ORDER BY at", (ts(since),))
        return [(row[0], parse_ts(row[1])) for row in rows]

    async def recover_stuck(self, now: dt.datetime, older_than: dt.timedelta) -> list[int]:
        """Rows left 'sending' by a dead process become 'uncertain' (not re-sent); their ids."""
        limit = ts(now - older_than)
        async with self._write() as db:
            ids = [row[0] for row in await db.fetchall(
                f"SELECT id FROM {self.TABLE} WHERE status = 'sending' AND claimed_at <= ?",
                (limit,))]
            await db.execute(
                f"UPDATE {self.TABLE} SET status = 'uncertain', updated_at = ?, last_error ="
                " 'envoi interrompu (arrêt du programme) : peut-être déjà reçu, non renvoyé'"
                " WHERE status = 'sending' AND claimed_at <= ?", (ts(now), limit))
        return ids


async def suspend_chat(db: Writer, chat_id: int, stamp: str, reason: str) -> int:
    """The chat blocked the bot (403), inside a write: noted in blocked_chats, and its
    reminders still to send become 'blocked' (kept, so that they can come back if the user
    talks to the bot again). Returns how many reminders."""
    await db.execute("INSERT INTO blocked_chats (chat_id, blocked_at, reason) VALUES (?, ?, ?)"
                     " ON CONFLICT (chat_id) DO UPDATE SET blocked_at = excluded.blocked_at,"
                     " reason = excluded.reason", (chat_id, stamp, reason[:500]))
    return await db.execute(
        "UPDATE reminders SET status = 'blocked', last_error = ?, updated_at = ?"
        " WHERE chat_id = ? AND status IN ('pending', 'sending')",
        (reason[:500], stamp, chat_id))
