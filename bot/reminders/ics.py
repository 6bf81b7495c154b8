"""Deadlines as an iCalendar file (RFC 5545) that calendar applications import. Pure.

Hand-written, because the subset is small: one all-day event (VALUE=DATE) per deadline, with
its explanation and source, a UID stable per (chat, milestone kind, deadline kind) so that
importing again after a milestone changed updates the event instead of adding one (SEQUENCE
is the milestone's row id, which grows with each replacement), and one VALARM per reminder,
at the hour and on the days the assistant itself reminds. Lines end with CRLF and are folded
at 75 octets without splitting a UTF-8 character; TEXT values escape \\ ; , and newlines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.programme.deadlines import Deadline, Milestone, deadlines_for
from bot.programme.params import Parameters
from bot.programme.reminder_policy import DEFAULT_POLICY, Policy, working_day_on_or_before

PRODID = "-//cnfs-assistant//Echeances Conseiller numerique//FR"
CALENDAR_NAME = "Échéances Conseiller numérique"
FILENAME = "echeances-conseiller-numerique.ics"
UID_DOMAIN = "cnfs-assistant"
LINE_OCTETS = 75


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """An all-day event, with alarms relative to its start (local midnight of that day)."""

    uid: str
    day: dt.date
    summary: str
    description: str
    sequence: int = 0
    alarms: tuple[dt.timedelta, ...] = ()


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))


def fold(line: str) -> list[str]:
    """A content line cut into pieces of at most 75 octets; pieces after the first begin
    with a space, which counts in their 75 octets. UTF-8 characters are never split."""
    pieces: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size, limit = " ", 1, LINE_OCTETS
        current += char
        size += width
    pieces.append(current)
    return pieces


def duration(delta: dt.timedelta) -> str:
    """An RFC 5545 duration: -P6DT15H, PT9H, P0D."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S"))
                   if n)
    text = f"{sign}P"
    if days or not time:
        text += f"{days}D"
    if time:
        text += f"T{time}"
    return text


def calendar(events: Iterable[Event], *, now: dt.datetime,
             name: str = CALENDAR_NAME) -> bytes:
    """The .ics file of these events, UTF-8, CRLF line endings."""
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{stamp}",
                  f"SEQUENCE:{event.sequence}",
                  f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{event.day + dt.timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{escape(event.summary)}",
                  f"DESCRIPTION:{escape(event.description)}", "TRANSP:TRANSPARENT"]
        for trigger in event.alarms:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{escape(event.summary)}",
                      f"TRIGGER;RELATED=START:{duration(trigger)}", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(piece + "\r\n" for line in lines for piece in fold(line)).encode()


def uid(chat_id: int, deadline: Deadline) -> str:
    """Stable per chat, milestone kind and deadline kind."""
    return f"{deadline.milestone.kind}.{deadline.kind}.{chat_id}@{UID_DOMAIN}"


def alarms(deadline: Deadline, policy: Policy) -> tuple[dt.timedelta, ...]:
    """Alarms on the days and at the hour of the assistant's own reminders."""
    hour = dt.timedelta(hours=policy.hour.hour, minutes=policy.hour.minute)
    days = {working_day_on_or_before(deadline.date - dt.timedelta(days=n),
                                     policy.is_working_day)
            for n in policy.days_before}
    return tuple(sorted((day - deadline.date) + hour for day in days))


def event(chat_id: int, deadline: Deadline, *, sequence: int = 0,
          policy: Policy | None = DEFAULT_POLICY) -> Event:
    """The calendar event of a deadline (no alarm if `policy` is None)."""
    description = f"{deadline.explanation}\nSource : {deadline.citation}"
    return Event(uid=uid(chat_id, deadline), day=deadline.date,
                 summary=f"Conseiller numérique : {deadline.label}",
                 description=description, sequence=sequence,
                 alarms=alarms(deadline, policy) if policy else ())


def milestones_calendar(chat_id: int, milestones: Iterable[tuple[int, Milestone]],
                        params: Parameters, *, now: dt.datetime,
                        policy: Policy | None = DEFAULT_POLICY,
                        policies: Mapping[int, Policy] | None = None) -> bytes:
    """The .ics of the deadlines of a chat's milestones, given as (row id, milestone); the
    alarms follow `policies[row id]` (the milestone's territory) when given, else `policy`."""
    events = [event(chat_id, deadline, sequence=milestone_id,
                    policy=(policies or {}).get(milestone_id, policy))
              for milestone_id, milestone in milestones
              for deadline in deadlines_for(milestone, params)]
    events.sort(key=lambda e: (e.day, e.uid))
    return calendar(events, now=now)
