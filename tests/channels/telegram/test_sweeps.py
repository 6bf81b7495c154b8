"""Telegram errors as the sweep understands them, and a refused message given up at once."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.sweeps import translate
from bot.delivery.errors import Blocked, MaybeSent, Rejected, RetryLater, Transient
from bot.delivery.sweep import SweepConfig, Sweeper
from bot.reminders.delivery import compose
from tests.support.reminders import add, fake_reminders


@pytest.mark.parametrize(("error", "expected"), [
    (Forbidden("Forbidden: bot was blocked by the user"), Blocked),
    (BadRequest("Bad Request: chat not found"), Blocked),
    (BadRequest("Bad Request: can't parse entities"), Rejected),
    (ChatMigrated(-100123), Blocked),
    (TimedOut(), Transient),
    (NetworkError("connection reset"), Transient),
])
def test_translation(error: Exception, expected: type[Exception]) -> None:
    assert type(translate(error)) is expected


def timed_out(cause: Exception) -> TimedOut:
    try:
        raise TimedOut from cause
    except TimedOut as error:
        return error


@pytest.mark.parametrize(("cause", "expected"), [
    (httpx.ReadTimeout("read"), MaybeSent),     # the request left: maybe delivered
    (httpx.WriteTimeout("write"), MaybeSent),
    (httpx.ConnectTimeout("connect"), Transient),  # it never left: retried
    (httpx.PoolTimeout("pool"), Transient),
])
def test_a_timeout_after_sending_is_not_retried(cause: Exception,
                                                expected: type[Exception]) -> None:
    assert type(translate(timed_out(cause))) is expected


@pytest.mark.parametrize("after", [7, dt.timedelta(seconds=7)])
def test_retry_after_in_seconds(after: int | dt.timedelta) -> None:
    translated = translate(RetryAfter(after))
    assert isinstance(translated, RetryLater) and translated.seconds == 7.0


async def test_a_rejected_message_fails_without_retry(reminder_store, clock, channel) -> None:
    await add(reminder_store, 5, fake_reminders(1, clock()), clock())
    channel.fail[5] = [Rejected("can't parse entities")]
    sweeper = Sweeper(reminder_store, channel, compose=compose, clock=clock, sleep=clock.sleep,
                      config=SweepConfig(max_attempts=5))
    report = await sweeper.run_once()
    assert (report.failed, report.retried) == (1, 0)
    reminder = await reminder_store.get(1)
    assert reminder is not None and reminder.status == "failed" and reminder.attempts == 1
