"""When to remind a collectivité of its deadlines, and what to say. Pure: `now` is an argument.

Choices, so that they are written down once:
- A reminder goes out at a civil hour of the collectivité's time zone (default 9:00), N days
  before the deadline (default 7, 2 and 0). Its instant is stored in UTC; it is computed with
  zoneinfo for that very day, so 9:00 stays 9:00 local across daylight saving changes.
- Working days are Monday to Friday, except the public holidays of the collectivité's
  territory (`policy_for`): the `holidays` library gives France's national days and those of
  each overseas subdivision (abolition of slavery on 22 May in Martinique, 27 May in
  Guadeloupe, 20 December at La Réunion…). In métropole the national list is used: the
  assistant does not know whether a collectivité is in Alsace-Moselle (Good Friday, 26 December).
- A reminder whose day is not a working day moves to the working day before; the deadline
  itself is stated as it is, on a weekend or a holiday ("au plus tard le lundi 14 juillet
  2025"). When two reminders of
  the same deadline land on the same day, only one is kept.
- A local time that does not exist (in the spring-forward gap) moves forward by the length
  of the gap (2:30 → 3:30), which is PEP 495's fold=0; an ambiguous one (autumn) takes its
  first occurrence. No French zone changes time at 9:00, so this only matters for odd hours.
- A reminder whose instant has passed when it is planned is not created; it is returned in
  `Schedule.skipped` so that the conversation can say so. This includes the "on the day"
  reminder when the deadline is today and the hour has passed: the user is looking at the
  deadline in the chat at that very moment, an immediate reminder would only repeat it.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bot.core import formatting
from bot.programme.deadlines import Deadline
from bot.programme.params import Territory

UTC = dt.UTC


def weekday(day: dt.date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """When reminders go out: the local hour, the days before the deadline, working days."""

    hour: dt.time = dt.time(9, 0)
    days_before: tuple[int, ...] = (7, 2, 0)
    is_working_day: Callable[[dt.date], bool] = weekday

    def __post_init__(self) -> None:
        if any(d < 0 for d in self.days_before):
            raise ValueError("days_before must not be negative")
        if self.hour.tzinfo is not None:
            raise ValueError("the hour is a civil (naive) time of the collectivité's zone")


DEFAULT_POLICY = Policy()


@lru_cache(maxsize=32)
def public_holidays(subdivision: str | None) -> holidays.HolidayBase:
    """France's public holidays, with those of an overseas subdivision ("971", "PF"…)."""
    return holidays.country_holidays("FR", subdiv=subdivision)


def working_days(subdivision: str | None) -> Callable[[dt.date], bool]:
    """Monday to Friday, except the public holidays of the territory."""
    days = public_holidays(subdivision)
    return lambda day: weekday(day) and day not in days


def policy_for(territory: Territory) -> Policy:
    """The default hour and days before, on the working days of the territory."""
    return Policy(is_working_day=working_days(territory.holidays))


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedReminder:
    """A reminder of a deadline: its local day, its UTC instant and its text."""

    deadline: Deadline
    days_before: int            # nominal (7, 2, 0), before the move to a working day
    day: dt.date                # civil day in the collectivité's zone
    due_at: dt.datetime         # aware, UTC
    timezone: str
    text: str                   # HTML-safe, as it reads when sent on time

    @property
    def local_due_at(self) -> dt.datetime:
        return self.due_at.astimezone(ZoneInfo(self.timezone))


@dataclass(frozen=True, slots=True, kw_only=True)
class Schedule:
    """Reminders to create, sorted by instant, and those dropped because already past."""

    planned: tuple[PlannedReminder, ...]
    skipped: tuple[PlannedReminder, ...]


def working_day_on_or_before(day: dt.date,
                             is_working_day: Callable[[dt.date], bool] = weekday) -> dt.date:
    """`day` if it is a working day, else the closest working day before it."""
    for _ in range(366):
        if is_working_day(day):
            return day
        day -= dt.timedelta(days=1)
    raise ValueError("no working day in the year before")


def local_instant(day: dt.date, hour: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of `hour` on `day` in `zone` (gap: moved forward; fold: first one)."""
    naive = dt.datetime.combine(day, hour)
    first = naive.replace(tzinfo=zone, fold=0)
    # In a gap, fold=0 uses the offset before the change: 2:30 +01:00 = 3:30 +02:00.
    # In a fold, fold=0 is the first occurrence. Either way, fold=0 is the documented choice.
    return first.astimezone(UTC)


def exists(day: dt.date, hour: dt.time, zone: ZoneInfo) -> bool:
    """Whether this civil time exists on that day in that zone (not in a DST gap)."""
    naive = dt.datetime.combine(day, hour)
    back = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == naive


def relative(deadline_day: dt.date, today: dt.date) -> str:
    """ "aujourd'hui", "demain", "dans 7 jours", or how long ago the deadline passed."""
    days = (deadline_day - today).days
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    if days > 1:
        return f"dans {days}\u00a0jours"
    if days == -1:
        return "délai dépassé depuis hier"
    return f"délai dépassé depuis {-days}\u00a0jours"


LATE = "rappel envoyé en retard"


def reminder_text(*, sentence: str, explanation: str, citation: str, deadline_day: dt.date,
                  today: dt.date, late: bool = False) -> str:
    """The reminder's text (HTML-safe): what is due and when, why, and the source."""
    when = relative(deadline_day, today)
    if late:
        when += f" ; {LATE}"
    return (f"<b>Rappel</b> : {html.escape(sentence, quote=False)} ({when}).\n"
            f"{html.escape(explanation, quote=False)}\n"
            f"<i>Source : {html.escape(citation, quote=False)}</i>")


def plan(deadlines: Iterable[Deadline], timezone: str, *, now: dt.datetime,
         policy: Policy = DEFAULT_POLICY) -> Schedule:
    """The reminders of these deadlines in this zone; those not after `now` are skipped."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    zone = ZoneInfo(timezone)
    planned: list[PlannedReminder] = []
    skipped: list[PlannedReminder] = []
    for deadline in deadlines:
        seen: set[dt.date] = set()
        for days in sorted(set(policy.days_before)):
            nominal = deadline.date - dt.timedelta(days=days)
            day = working_day_on_or_before(nominal, policy.is_working_day)
            if day in seen:
                continue
            seen.add(day)
            reminder = PlannedReminder(
                deadline=deadline, days_before=days, day=day,
                due_at=local_instant(day, policy.hour, zone), timezone=timezone,
                text=reminder_text(sentence=deadline.sentence,
                                   explanation=deadline.explanation,
                                   citation=deadline.citation, deadline_day=deadline.date,
                                   today=day))
            (planned if reminder.due_at > now else skipped).append(reminder)
    order = lambda r: (r.due_at, r.deadline.date, r.deadline.kind)  # noqa: E731
    return Schedule(planned=tuple(sorted(planned, key=order)),
                    skipped=tuple(sorted(skipped, key=order)))


def clock_time(moment: dt.datetime | dt.time) -> str:
    """A time of day the French way: "9 h 00"."""
    return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"


def describe_schedule(schedule: Schedule) -> str:
    """The reminders to come, one line each, for the confirmation in the chat (HTML-safe)."""
    lines = []
    for reminder in schedule.planned:
        local = reminder.local_due_at
        lines.append(f"• {formatting.date(reminder.day)} à {clock_time(local)} : "
                     f"{html.escape(reminder.deadline.label, quote=False)} "
                     f"({relative(reminder.deadline.date, reminder.day)})")
    if schedule.skipped:
        count = len(schedule.skipped)
        lines.append(f"({count} rappel{'s' if count > 1 else ''} déjà passé"
                     f"{'s' if count > 1 else ''}, non programmé{'s' if count > 1 else ''}.)")
    return "\n".join(lines)
