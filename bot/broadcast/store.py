"""Announcements to the chats that opted in (/abonner): drafts, then one delivery row per chat.

The deliveries are swept like reminders (bot/delivery/sweep.py: claim committed before the send,
'sent' after it, at most once; 'sending' rows found after a crash become 'uncertain' and are
never re-sent), within the same rate limits. A chat that blocked the bot (403) is recorded
in blocked_chats, shared with the reminders.

    draft ──confirm──▶ queued (its deliveries: pending ─▶ sending ─▶ sent / failed /
      └──▶ cancelled                                    blocked / uncertain)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.delivery_rows import DeliveryRows, suspend_chat
from bot.storage.timestamps import parse_ts, ts


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One announcement to one chat."""

    id: int
    broadcast_id: int
    chat_id: int
    text: str
    attempts: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """Where an announcement stands."""

    broadcast_id: int
    queued_at: dt.datetime | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, *statuses: str) -> int:
        return sum(self.counts.get(status, 0) for status in statuses)


_DELIVERY = ("SELECT d.id, d.broadcast_id, d.chat_id, b.text, d.attempts"
             " FROM broadcast_deliveries AS d JOIN broadcasts AS b ON b.id = d.broadcast_id")


def _delivery(row: Sequence) -> Delivery:
    return Delivery(id=row[0], broadcast_id=row[1], chat_id=row[2], text=row[3],
                    attempts=row[4])


class BroadcastStore(DeliveryRows):
    """Subscriptions, announcements and their deliveries, on an open database."""

    TABLE = "broadcast_deliveries"

    # --- subscriptions ---------------------------------------------------------------------

    async def subscribe(self, chat_id: int, now: dt.datetime) -> bool:
        """The chat receives announcements; False if it already did."""
        async with self._write() as db:
            return await db.execute(
                "INSERT INTO subscriptions (chat_id, subscribed_at) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO NOTHING", (chat_id, ts(now))) > 0

    async def unsubscribe(self, chat_id: int) -> bool:
        """The chat no longer receives announcements (nothing kept); False if it did not."""
        async with self._write() as db:
            return await db.execute("DELETE FROM subscriptions WHERE chat_id = ?",
                                    (chat_id,)) > 0

    async def is_subscribed(self, chat_id: int) -> bool:
        return await self.db.fetchone("SELECT 1 FROM subscriptions WHERE chat_id = ?",
                                      (chat_id,)) is not None

    async def recipients(self) -> int:
        """How many chats an announcement would go to (subscribed, not blocked)."""
        return await self.db.scalar(
            "SELECT count(*) FROM subscriptions WHERE chat_id NOT IN"
            " (SELECT chat_id FROM blocked_chats)")

    # --- announcements ---------------------------------------------------------------------

    async def draft(self, author_id: int, text: str, now: dt.datetime) -> int:
        """Keep an announcement until its author confirms it; returns its id."""
        async with self._write() as db:
            return await db.insert(
                "INSERT INTO broadcasts (author_id, text, status, created_at)"
                " VALUES (?, ?, 'draft', ?)", (author_id, text, ts(now)))

    async def queue(self, broadcast_id: int, author_id: int, now: dt.datetime) -> int | None:
        """Confirm a draft: one pending delivery per subscribed chat not blocked (one
        transaction); the number of deliveries, or None if it is no longer a draft."""
        stamp = ts(now)
        async with self._write() as db:
            if not await db.execute(
                    "UPDATE broadcasts SET status = 'queued', queued_at = ? WHERE id = ?"
                    " AND author_id = ? AND status = 'draft'",
                    (stamp, broadcast_id, author_id)):
                return None
            return await db.execute(
                "INSERT INTO broadcast_deliveries (broadcast_id, chat_id, updated_at)"
                " SELECT ?, chat_id, ? FROM subscriptions WHERE chat_id NOT IN"
                " (SELECT chat_id FROM blocked_chats) ORDER BY subscribed_at, chat_id",
                (broadcast_id, stamp))

    async def cancel_draft(self, broadcast_id: int, author_id: int) -> bool:
        """Drop a draft (its text is deleted); False if it is no longer a draft."""
        async with self._write() as db:
            return await db.execute(
                "DELETE FROM broadcasts WHERE id = ? AND author_id = ? AND status = 'draft'",
                (broadcast_id, author_id)) > 0

    async def progress(self, broadcast_id: int | None = None) -> Progress | None:
        """Delivery counts of an announcement (default: the last one queued)."""
        where, args = ("id = ?", (broadcast_id,)) if broadcast_id is not None else \
            ("status = 'queued'", ())
        row = await self.db.fetchone(
            f"SELECT id, queued_at FROM broadcasts WHERE {where} ORDER BY id DESC LIMIT 1",
            args)
        if row is None:
            return None
        counts = {status: n for status, n in await self.db.fetchall(
            "SELECT status, count(*) FROM broadcast_deliveries WHERE broadcast_id = ?"
            " GROUP BY status", (row[0],))}
        return Progress(broadcast_id=row[0], queued_at=parse_ts(row[1]) if row[1] else None,
                        counts=counts)

    # --- the sweep (bot/delivery/sweep.py's Queue) ----------------------------------------

    async def skip_superseded(self, now: dt.datetime) -> int:
        """Announcements never supersede one another."""
        return 0

    async def due(self, now: dt.datetime, limit: int = 1000) -> list[Delivery]:
        """Deliveries to send now (not waiting for a retry, chat not blocked), oldest first."""
        return [_delivery(row) for row in await self.db.fetchall(
            f"{_DELIVERY} WHERE d.status = 'pending' AND b.status = 'queued'"
            " AND (d.not_before IS NULL OR d.not_before <= ?)"
            " AND d.chat_id NOT IN (SELECT chat_id FROM blocked_chats)"
            " ORDER BY d.id LIMIT ?", (ts(now), limit))]

    async def pending(self) -> int:
        """How many deliveries are still to send."""
        return await self.db.scalar(
            "SELECT count(*) FROM broadcast_deliveries WHERE status = 'pending'")

    async def claim(self, row_id: int, now: dt.datetime) -> Delivery | None:
        """Mark a pending delivery 'sending' (committed before it is sent); None if gone."""
        if not await self._claim_row(row_id, now):
            return None
        row = await self.db.fetchone(f"{_DELIVERY} WHERE d.id = ?", (row_id,))
        return _delivery(row) if row else None

    async def block_chat(self, chat_id: int, *, now: dt.datetime, reason: str) -> int:
        """The chat blocked the bot (403): suspended for reminders too; its announcements
        still to send become 'blocked'. Returns how many."""
        async with self._write() as db:
            await suspend_chat(db, chat_id, ts(now), reason)
            return await db.execute(
                "UPDATE broadcast_deliveries SET status = 'blocked', last_error = ?,"
                " updated_at = ? WHERE chat_id = ? AND status IN ('pending', 'sending')",
                (reason[:500], ts(now), chat_id))


def compose(delivery: Delivery, now: dt.datetime) -> tuple[str, bool]:
    """The text of an announcement (never late: it says no date)."""
    return delivery.text, False
