"""What the assistant keeps about people, erased on request (/oubli) or after the retention.

`erase` deletes, in one transaction, what concerns one member of one chat; in a private chat
that is everything about the chat. `purge` deletes what is older than the retention; a
reminder still to send (and its milestone) is never purged.
"""

from __future__ import annotations

import datetime as dt

from bot.core.replies import is_group
from bot.storage.database import Database
from bot.storage.timestamps import ts

SLOTS_KEPT = dt.timedelta(hours=1)

# What /oubli reports, in this order (keys of the counts).
ERASED = ("conversation", "questions", "milestones", "reminders", "territory",
          "subscription", "announcements", "events", "chat", "context")


async def erase(db: Database, chat_id: int, user_id: int) -> dict[str, int]:
    """Erase what is stored about this member of this chat (of a private chat: everything).

    In a group, only the member's rows go (their questionnaire, questions, milestones and
    the reminders of those); the group's own settings (territory, subscription) stay.
    Returns how many rows of each kind were deleted.
    """
    mine = "chat_id = ? AND user_id = ?"
    counts: dict[str, int] = {}
    statements: list[tuple[str, str, tuple[int, ...]]] = [
        ("conversation", f"DELETE FROM conversations WHERE {mine}", (chat_id, user_id)),
        ("context", f"DELETE FROM talk_context WHERE {mine}", (chat_id, user_id)),
        ("context", f"DELETE FROM matrix_options WHERE {mine}", (chat_id, user_id)),
        ("questions", f"DELETE FROM unanswered WHERE {mine}", (chat_id, user_id)),
        ("reminders", "DELETE FROM reminders WHERE milestone_id IN (SELECT id FROM milestones"
                      f" WHERE {mine})", (chat_id, user_id)),
        ("milestones", f"DELETE FROM milestones WHERE {mine}", (chat_id, user_id)),
    ]
    if not is_group(chat_id):
        chat = "WHERE chat_id = ?"
        statements += [
            ("reminders", f"DELETE FROM reminders {chat}", (chat_id,)),
            ("milestones", f"DELETE FROM milestones {chat}", (chat_id,)),
            ("territory", f"DELETE FROM chat_territories {chat}", (chat_id,)),
            ("subscription", f"DELETE FROM subscriptions {chat}", (chat_id,)),
            ("announcements", f"DELETE FROM broadcast_deliveries {chat}", (chat_id,)),
            ("events", f"DELETE FROM events {chat}", (chat_id,)),
            ("chat", f"DELETE FROM chats {chat}", (chat_id,)),
            ("chat", f"DELETE FROM blocked_chats {chat}", (chat_id,)),
        ]
    async with db.write() as writer:
        for kind, sql, args in statements:
            counts[kind] = counts.get(kind, 0) + max(await writer.execute(sql, args), 0)
    return counts


async def purge(db: Database, now: dt.datetime, days: int) -> dict[str, int]:
    """Delete what is older than `days` days (the turns of the send limits: older than an
    hour); returns how many rows of each table."""
    cutoff = now - dt.timedelta(days=days)
    iso, stamp = cutoff.astimezone(dt.UTC).isoformat(), ts(cutoff)
    done = "('sent', 'cancelled', 'failed', 'skipped', 'uncertain')"
    statements: list[tuple[str, str, tuple[str | int, ...]]] = [
        ("unanswered", "DELETE FROM unanswered WHERE asked_at < ?", (iso,)),
        ("conversations", "DELETE FROM conversations WHERE updated_at < ?", (iso,)),
        ("talk_context", "DELETE FROM talk_context WHERE updated_at < ?", (iso,)),
        ("matrix_options", "DELETE FROM matrix_options WHERE updated_at < ?", (stamp,)),
        ("reminders", f"DELETE FROM reminders WHERE (status IN {done} AND updated_at < ?)"
                      " OR (status = 'blocked' AND due_at < ?)", (stamp, stamp)),
        ("milestones", "DELETE FROM milestones WHERE created_at < ? AND coalesce("
                       "cancelled_at, created_at) < ? AND id NOT IN (SELECT milestone_id"
                       " FROM reminders)", (stamp, stamp)),
        ("chat_territories", "DELETE FROM chat_territories WHERE updated_at < ?", (stamp,)),
        ("chats", "DELETE FROM chats WHERE updated_at < ?", (iso,)),
        ("blocked_chats", "DELETE FROM blocked_chats WHERE blocked_at < ? AND chat_id NOT IN"
                          " (SELECT chat_id FROM reminders WHERE status IN ('pending',"
                          " 'blocked'))", (stamp,)),
        ("events", "DELETE FROM events WHERE at < ?", (stamp,)),
        ("broadcast_deliveries", "DELETE FROM broadcast_deliveries WHERE status NOT IN"
                                 " ('pending', 'sending') AND updated_at < ?", (stamp,)),
        ("broadcasts", "DELETE FROM broadcasts WHERE created_at < ? AND id NOT IN"
                       " (SELECT broadcast_id FROM broadcast_deliveries)", (stamp,)),
        # turns of Telegram's limits (shared by replicas): past ones mean nothing any more
        ("send_slots", "DELETE FROM send_slots WHERE next_at < ?",
         (round((now - SLOTS_KEPT).timestamp() * 1e6),)),
    ]
    counts: dict[str, int] = {}
    async with db.write() as writer:
        for table, sql, args in statements:
            counts[table] = max(await writer.execute(sql, args), 0)
    return counts
