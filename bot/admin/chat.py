"""Administrators' commands: /stats, /diffuser, /recharger (and the buttons of /diffuser).

Only users listed in BOT_ADMIN_IDS reach them; anyone else gets the reply to an unknown
command (bot/assistant.py), so these commands are never revealed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from bot.admin import stats
from bot.broadcast.store import BroadcastStore, Progress
from bot.content.loader import Content
from bot.core import messages
from bot.core.callbacks import payload_number
from bot.core.formatting import plural_s
from bot.core.registry import ButtonRoute, Command
from bot.core.replies import Button, Conversation, Outgoing, is_group
from bot.core.yamlsource import InvalidContent
from bot.storage.database import Database
from bot.storage.timestamps import ts

if TYPE_CHECKING:
    from bot.core.host import Host

Loader = Callable[[], Content]
MAX_ANNOUNCEMENT = 3500     # the frame and Telegram's 4 096 characters leave this much
MAX_ERRORS_SHOWN = 30


def describe_progress(progress: Progress) -> str:
    """Where an announcement stands: sent / failed / pending (HTML-safe)."""
    sent = progress.count("sent")
    failed = progress.count("failed", "blocked")
    pending = progress.count("pending", "sending")
    when = f" ({progress.queued_at:%d/%m/%Y %H:%M} UTC)" if progress.queued_at else ""
    lines = [messages.BROADCAST_PROGRESS.format(
        id=progress.broadcast_id, when=when, sent=sent, s_sent=plural_s(sent), failed=failed,
        pending=pending, total=progress.total)]
    blocked = progress.count("blocked")
    if blocked:
        lines.append(messages.BROADCAST_DETAILS.format(
            blocked=blocked, s=plural_s(blocked), verb="ont" if blocked > 1 else "a") + ".")
    uncertain = progress.count("uncertain")
    if uncertain:
        lines.append(messages.BROADCAST_UNCERTAIN.format(uncertain=uncertain,
                                                         s=plural_s(uncertain)) + ".")
    return "\n".join(lines)


def refusal(error: InvalidContent) -> str:
    """Why new content was refused: each problem as file:line: reason (HTML-safe)."""
    count = len(error.errors)
    lines = [messages.RELOAD_REFUSED.format(count=count, s=plural_s(count))]
    lines += [f"• <code>{html.escape(str(e), quote=False)}</code>"
              for e in error.errors[:MAX_ERRORS_SHOWN]]
    if count > MAX_ERRORS_SHOWN:
        lines.append(f"… et {count - MAX_ERRORS_SHOWN} autre{plural_s(count - MAX_ERRORS_SHOWN)}.")
    return "\n".join(lines)


class AdminChat:
    """What administrators can do from the chat."""

    name: ClassVar[str] = "administration"
    commands: ClassVar[tuple[Command, ...]] = (
        Command("stats", "stats", "l'usage des 7 derniers jours", admin=True),
        Command("diffuser", "broadcast", "envoyer une annonce aux conversations abonnées "
                "(le texte après la commande ; sans texte : où en est la dernière)",
                admin=True),
        Command("recharger", "reload", "relire le contenu (FAQ, paramètres, questionnaires) "
                "sans redémarrer", admin=True),
    )
    buttons: ClassVar[tuple[ButtonRoute, ...]] = (ButtonRoute("d", "button", admin=True),)
    actions: ClassVar[dict[str, str]] = {}

    def __init__(self, host: Host, broadcasts: BroadcastStore | None = None,
                 loader: Loader | None = None) -> None:
        self.host = host
        self.broadcasts = broadcasts or BroadcastStore(host.store.db)
        self.loader = loader

    async def stats(self, conversation: Conversation, args: str) -> list[Outgoing]:
        """/stats: usage over the last 7 days."""
        now = self.host.clock()
        start = stats.window_start(now, self.host.zone)
        store = self.host.store
        found = stats.summarize(await store.events.since(start), now=now,
                                zone=self.host.zone,
                                reminders=await reminder_counts(store.db, start),
                                subscribers=await self.broadcasts.recipients())
        figures = Outgoing(text=stats.format_stats(found))
        if not is_group(conversation.chat_id):
            return [figures]
        # in a group, the figures go to the administrator alone, in their private chat
        return [replace(figures, private=True), Outgoing(text=messages.STATS_SENT_PRIVATELY)]

    async def broadcast(self, conversation: Conversation, args: str) -> list[Outgoing]:
        """/diffuser text: the announcement and its recipients, to confirm; without text, the
        progress of the last one."""
        if not args:
            progress = await self.broadcasts.progress()
            if progress is None:
                return [Outgoing(text=messages.BROADCAST_NONE_YET)]
            return [Outgoing(text=describe_progress(progress))]
        if len(args) > MAX_ANNOUNCEMENT:
            return [Outgoing(text=messages.BROADCAST_TOO_LONG.format(
                length=len(args), limit=MAX_ANNOUNCEMENT))]
        count = await self.broadcasts.recipients()
        if not count:
            return [Outgoing(text=messages.BROADCAST_NO_RECIPIENT)]
        text = messages.BROADCAST_FRAME.format(text=html.escape(args, quote=False))
        draft = await self.broadcasts.draft(conversation.user_id, text, self.host.clock())
        s = plural_s(count)
        return [Outgoing(
            text=messages.BROADCAST_CONFIRM.format(count=count, s=s, preview=text),
            buttons=((Button(messages.BROADCAST_SEND.format(count=count, s=s), f"d:{draft}:y"),
                      Button(messages.BROADCAST_CANCEL, f"d:{draft}:n")),))]

    async def button(self, conversation: Conversation, value: str) -> list[Outgoing] | None:
        """A press of /diffuser's confirmation; None if the payload is not one."""
        draft_text, _, choice = value.partition(":")
        draft = payload_number(draft_text)
        if draft is None or choice not in ("y", "n"):
            return None
        author = conversation.user_id
        if choice == "n":
            done = await self.broadcasts.cancel_draft(draft, author)
            return [Outgoing(text=messages.BROADCAST_CANCELLED if done
                             else messages.BROADCAST_NOT_DRAFT, replace=True)]
        count = await self.broadcasts.queue(draft, author, self.host.clock())
        if count is None:
            return [Outgoing(text=messages.BROADCAST_NOT_DRAFT, replace=True)]
        return [Outgoing(text=messages.BROADCAST_QUEUED.format(id=draft, count=count,
                                                               s=plural_s(count)),
                         replace=True)]

    async def reload(self, conversation: Conversation, args: str) -> list[Outgoing]:
        """/recharger: load and validate the content again; swap it only if it is valid."""
        if self.loader is None:
            return [Outgoing(text=messages.RELOAD_UNAVAILABLE)]
        try:
            content = await asyncio.to_thread(self.loader)
        except InvalidContent as error:
            return [Outgoing(text=refusal(error))]
        await self.host.reload(content)
        flows = len(content.flows)
        return [Outgoing(text=messages.RELOAD_DONE.format(
            faq=len(content.faq), flows=flows, s=plural_s(flows),
            params=len(content.params.by_id)))]


async def reminder_counts(db: Database, start: dt.datetime) -> dict[str, int]:
    """Reminders sent, failed or blocked since `start`, and those pending now."""
    stamp = ts(start)
    return {status: n for status, n in await db.fetchall(
        "SELECT status, count(*) FROM reminders WHERE status = 'pending'"
        " OR (status = 'sent' AND sent_at >= ?)"
        " OR (status IN ('failed', 'blocked') AND updated_at >= ?) GROUP BY status",
        (stamp, stamp))}
