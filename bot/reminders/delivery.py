"""What the sweep sends for a reminder: its stored text, or, when it leaves late (after a
downtime), the text recomputed for today and saying it is late."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.programme.reminder_policy import reminder_text
from bot.reminders.store import StoredReminder

LATE_AFTER = dt.timedelta(minutes=15)  # sent later than this after its time: "en retard"


def compose(reminder: StoredReminder, now: dt.datetime) -> tuple[str, bool]:
    """The text to send now, and whether it is late."""
    if now - reminder.due_at <= LATE_AFTER:
        return reminder.text, False
    today = now.astimezone(ZoneInfo(reminder.timezone)).date()
    return reminder_text(sentence=reminder.sentence, explanation=reminder.explanation,
                         citation=reminder.citation, deadline_day=reminder.deadline_date,
                         today=today, late=True), True
