"""/stats for administrators: usage figures from the events, and how to say them. Pure."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core import formatting
from bot.storage.events import Event

DAYS = 7


@dataclass(frozen=True, slots=True, kw_only=True)
class Stats:
    """Usage over the last `days` local days, today included."""

    days: tuple[dt.date, ...]
    active_chats: int
    questions_per_day: tuple[int, ...]
    answered: int
    suggested: int
    fallback: int
    flows_started: int
    flows_completed: int
    reminders_sent: int
    reminders_failed: int
    reminders_pending: int
    subscribers: int

    @property
    def questions(self) -> int:
        return self.answered + self.suggested + self.fallback


def window_start(now: dt.datetime, zone: ZoneInfo, days: int = DAYS) -> dt.datetime:
    """The first instant counted: midnight, local time, `days - 1` days before today."""
    first = now.astimezone(zone).date() - dt.timedelta(days=days - 1)
    return dt.datetime.combine(first, dt.time(0), tzinfo=zone)


def summarize(events: Iterable[Event], *, now: dt.datetime, zone: ZoneInfo,
              reminders: Mapping[str, int], subscribers: int, days: int = DAYS) -> Stats:
    """The figures of /stats from the events of the window and the reminders' counts."""
    start = window_start(now, zone, days)
    dates = tuple(start.date() + dt.timedelta(days=i) for i in range(days))
    kinds: Counter[str] = Counter()
    per_day: Counter[dt.date] = Counter()
    chats = set()
    for event in events:
        if not start <= event.at <= now:
            continue
        chats.add(event.chat_id)
        kinds[event.kind] += 1
        if event.kind.startswith("question_"):
            per_day[event.at.astimezone(zone).date()] += 1
    return Stats(days=dates, active_chats=len(chats),
                 questions_per_day=tuple(per_day[d] for d in dates),
                 answered=kinds["question_answered"], suggested=kinds["question_suggested"],
                 fallback=kinds["question_fallback"], flows_started=kinds["flow_started"],
                 flows_completed=kinds["flow_completed"],
                 reminders_sent=reminders.get("sent", 0),
                 reminders_failed=reminders.get("failed", 0) + reminders.get("blocked", 0),
                 reminders_pending=reminders.get("pending", 0), subscribers=subscribers)


def rate(part: int, whole: int) -> str:
    """"42 %" (French spacing), or "–" when there is nothing to divide."""
    return f"{round(100 * part / whole)}\u00a0%" if whole else "–"


def format_stats(stats: Stats) -> str:
    """The /stats message (HTML-safe)."""
    n = stats.questions
    lines = [f"<b>Usage des {len(stats.days)} derniers jours</b>",
             f"Conversations actives : {stats.active_chats}",
             f"Conversations abonnées aux annonces : {stats.subscribers}", "",
             f"<b>Questions par jour</b> ({n} au total)"]
    lines += [f"• {formatting.date(day)} : {count}"
              for day, count in zip(stats.days, stats.questions_per_day, strict=True)]
    lines += ["", "<b>Réponses</b>",
              f"Répondues : {rate(stats.answered, n)} ({stats.answered})",
              f"Suggestions proposées : {rate(stats.suggested, n)} ({stats.suggested})",
              f"Sans réponse : {rate(stats.fallback, n)} ({stats.fallback})", "",
              "<b>Questionnaires</b>",
              f"Commencés : {stats.flows_started} · terminés : {stats.flows_completed} "
              f"({rate(stats.flows_completed, stats.flows_started)})", "",
              "<b>Rappels</b> (sur la période)",
              f"Envoyés : {stats.reminders_sent} · en échec : {stats.reminders_failed} · "
              f"en attente (à ce jour) : {stats.reminders_pending}"]
    return "\n".join(lines)
