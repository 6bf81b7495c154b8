"""The sweep: sends what is due once, catches up, survives crashes, obeys Telegram's limits."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections import Counter

import pytest

from bot.delivery.errors import Blocked, MaybeSent, RetryLater, Transient
from bot.delivery.sweep import SweepConfig, Sweeper
from bot.programme.deadlines import Milestone, deadlines_for
from bot.programme.reminder_policy import plan
from bot.reminders.delivery import compose
from bot.reminders.store import ReminderStore
from tests.support.reminders import FakeClock, add, fake_reminders, open_db

UTC = dt.UTC
A, B, GROUP = 11, 22, -100


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def sweeper(reminder_store: ReminderStore, channel, clock: FakeClock, **config) -> Sweeper:
    return Sweeper(reminder_store, channel, compose=compose, clock=clock, sleep=clock.sleep,
                   config=SweepConfig(**config))


async def record(reminder_store, params, chat_id, kind, day, now):
    milestone = Milestone(kind=kind, date=day)
    schedule = plan(deadlines_for(milestone, params), "Europe/Paris", now=now)
    await reminder_store.add_milestone(chat_id=chat_id, user_id=chat_id, milestone=milestone,
                              territory="metropole", timezone="Europe/Paris",
                              reminders=schedule.planned, now=now)


def nb(text: str) -> str:
    return text.replace("\u00a0", " ")


async def test_sends_each_reminder_when_due_and_only_once(reminder_store, params, clock, channel):
    await record(reminder_store, params, A, "candidat_selectionne", dt.date(2021, 3, 1), clock())
    sweep = sweeper(reminder_store, channel, clock)
    assert (await sweep.run_once()).sent == 0
    clock.set(utc(2021, 3, 9, 8, 0))                          # 9:00 in Paris
    report = await sweep.run_once()
    assert (report.sent, report.late) == (1, 0)
    assert channel.texts(A) == [(await reminder_store.get(1)).text]
    assert "(dans 7 jours)." in nb(channel.texts(A)[0])
    assert (await sweep.run_once()).sent == 0
    clock.set(utc(2021, 3, 12, 8, 5))                          # five minutes late: on time
    await sweep.run_once()
    assert "envoyé en retard" not in channel.texts(A)[1]
    clock.set(utc(2021, 3, 16, 8, 0))
    await sweep.run_once()
    assert len(channel.sent) == 3
    assert [r.status for r in [await reminder_store.get(i) for i in (1, 2, 3)]] == ["sent"] * 3
    assert await reminder_store.pending() == []


async def test_catch_up_after_downtime_says_it_is_late(reminder_store, params, clock, channel):
    await record(reminder_store, params, A, "candidat_selectionne", dt.date(2021, 3, 1), clock())
    sweep = sweeper(reminder_store, channel, clock)
    clock.set(utc(2021, 3, 12, 10, 0))           # down since before J-7: J-7 and J-2 overdue
    report = await sweep.run_once()
    assert (report.sent, report.late, report.skipped) == (1, 1, 1)
    [text] = channel.texts(A)
    assert ("au plus tard le mardi 16 mars 2021 (dans 4 jours ; rappel envoyé en retard)."
            in nb(text))
    assert (await reminder_store.get(1)).status == "skipped"
    clock.set(utc(2021, 3, 17, 10, 0))                        # down again past the deadline
    await sweep.run_once()
    assert "(délai dépassé depuis hier ; rappel envoyé en retard)" in nb(channel.texts(A)[1])


async def test_crash_between_sending_and_marking_is_never_resent(database_target, params, clock,
                                                                 channel):
    db = await open_db(database_target)
    reminder_store = ReminderStore(db)
    await record(reminder_store, params, A, "candidat_selectionne", dt.date(2021, 3, 1), clock())
    await record(reminder_store, params, B, "candidat_selectionne", dt.date(2021, 3, 1), clock())
    clock.set(utc(2021, 3, 9, 8, 0))
    # The sweep's steps by hand: claim (committed), send, then the process dies.
    [first, _] = await reminder_store.due(clock())
    claimed = await reminder_store.claim(first.id, clock())
    await channel(claimed.chat_id, claimed.text)
    await db.close()                                          # killed before mark_sent

    db = await open_db(database_target)                               # restart
    reminder_store = ReminderStore(db)
    clock.advance(60)
    report = await sweeper(reminder_store, channel, clock).run_once()  # too early to judge it
    assert report.uncertain == [] and report.sent == 1
    assert (await reminder_store.get(first.id)).status == "sending"
    clock.advance(10 * 60)
    report = await sweeper(reminder_store, channel, clock).run_once()
    assert report.uncertain == [first.id]
    assert (await reminder_store.get(first.id)).status == "uncertain"
    for day in (12, 16):
        clock.set(utc(2021, 3, day, 8, 0))
        await sweeper(reminder_store, channel, clock).run_once()
    counts = Counter((chat, text) for _, chat, text in channel.sent)
    assert max(counts.values()) == 1                          # nothing was sent twice
    assert len(channel.sent) == 6                             # and only the one in flight
    assert (await reminder_store.counts()) == {"sent": 5, "uncertain": 1}   # is not known as sent
    await db.close()


class Crash(BaseException):
    """The process dies (not an Exception: nothing in the sweep catches it)."""


async def test_crash_inside_a_sweep_then_restart(database_target, clock, channel):
    db = await open_db(database_target)
    reminder_store = ReminderStore(db)
    due = utc(2021, 3, 9, 8, 0)
    for chat in range(1, 6):
        await add(reminder_store, chat, fake_reminders(2, due), clock())
    clock.set(due)

    crashed = []

    async def dies_on_chat_3(chat_id: int, text: str) -> None:
        await channel(chat_id, text)
        if chat_id == 3 and not crashed:
            crashed.append(text)
            raise Crash

    await sweeper(reminder_store, dies_on_chat_3, clock).run_once()
    statuses = Counter(r.status for r in [await reminder_store.get(i) for i in range(1, 11)])
    assert statuses["sending"] == 1
    await db.close()

    db = await open_db(database_target)
    reminder_store = ReminderStore(db)
    clock.advance(3600)
    await sweeper(reminder_store, channel, clock).run_once()
    counts = Counter((chat, text) for _, chat, text in channel.sent)
    assert len(counts) == 10 and max(counts.values()) == 1    # no loss but the crash, no dup
    assert (await reminder_store.counts()) == {"sent": 9, "uncertain": 1}
    await db.close()


def held(channel):
    """A send that waits for `release` once it has `entered`: a message in flight."""
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(chat_id: int, text: str) -> None:
        entered.set()
        await release.wait()
        await channel(chat_id, text)

    return slow, entered, release


async def test_a_stop_lets_the_message_in_flight_finish(reminder_store, clock, channel):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(1, due), clock())
    await add(reminder_store, B, fake_reminders(1, due), clock())
    clock.set(due)
    slow, entered, release = held(channel)
    sweep = Sweeper(reminder_store, slow, compose=compose, clock=clock, sleep=clock.sleep,
                    config=SweepConfig(max_in_flight=1))
    task = asyncio.create_task(sweep.run_once())
    await entered.wait()
    task.cancel()
    await asyncio.sleep(0)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await reminder_store.counts()) == {"sent": 1, "pending": 1}
    await sweeper(reminder_store, channel, clock).run_once()
    assert sorted(chat for _, chat, _ in channel.sent) == [A, B]


async def test_a_stop_after_the_last_claim_lets_every_send_in_flight_finish(
        reminder_store, clock, channel):
    due = utc(2021, 3, 9, 8, 0)
    for chat in (A, B):
        await add(reminder_store, chat, fake_reminders(1, due), clock())
    clock.set(due)
    entered: list[int] = []
    both, release = asyncio.Event(), asyncio.Event()

    async def slow(chat_id: int, text: str) -> None:
        entered.append(chat_id)
        if len(entered) == 2:
            both.set()
        await release.wait()
        await channel(chat_id, text)

    task = asyncio.create_task(sweeper(reminder_store, slow, clock).run_once())
    await both.wait()                  # both claimed: the sweep only waits for them now
    task.cancel()                      # SIGTERM (a redeploy) at that moment
    await asyncio.sleep(0.05)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await reminder_store.counts()) == {"sent": 2}
    assert sorted(chat for _, chat, _ in channel.sent) == [A, B]


async def test_a_blocked_user_stops_being_sent_to(reminder_store, clock, channel, caplog):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(3, due), clock())
    await add(reminder_store, A, fake_reminders(2, due + dt.timedelta(days=3)), clock(),
              kind="prise_de_poste")
    await add(reminder_store, B, fake_reminders(2, due), clock())
    channel.fail[A] = [Blocked("Forbidden: bot was blocked by the user")]
    clock.set(due)
    sweep = sweeper(reminder_store, channel, clock)
    with caplog.at_level(logging.WARNING):
        report = await sweep.run_once()
    assert report.blocked == 1
    assert "bloqué" in caplog.text
    assert channel.texts(A) == [] and len(channel.texts(B)) == 2
    assert await reminder_store.is_blocked(A)
    clock.advance(5 * 86400)
    await sweep.run_once()
    assert channel.texts(A) == []
    assert (await reminder_store.counts())["blocked"] == 5


async def test_a_429_for_one_chat_does_not_hold_the_others(reminder_store, clock, channel):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(1, due), clock())
    await add(reminder_store, B, fake_reminders(5, due), clock())
    channel.fail[A] = [RetryLater(30)]
    clock.set(due)
    sweep = sweeper(reminder_store, channel, clock)
    report = await sweep.run_once()
    assert (report.sent, report.retried) == (5, 1)
    times = [t for t, chat, _ in channel.sent if chat == B]
    assert times[-1] - due < dt.timedelta(seconds=6)         # B went on at 1 message/s
    [waiting] = await reminder_store.pending(A)
    assert waiting.not_before == due + dt.timedelta(seconds=30) and waiting.attempts == 0
    clock.set(due + dt.timedelta(seconds=20))
    await sweep.run_once()
    assert channel.texts(A) == []
    clock.set(due + dt.timedelta(seconds=31))
    await sweep.run_once()
    assert len(channel.texts(A)) == 1
    assert (await reminder_store.get(waiting.id)).attempts == 1


async def test_a_long_429_defers_the_chat_to_a_later_sweep(reminder_store, clock, channel):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(3, due), clock())
    channel.fail[A] = [RetryLater(600)]
    clock.set(due)
    sweep = sweeper(reminder_store, channel, clock)
    report = await sweep.run_once()
    assert (report.retried, report.deferred, report.sent) == (1, 2, 0)
    assert clock() - due < dt.timedelta(seconds=5)            # did not wait 10 minutes
    clock.advance(601)
    await sweep.run_once()
    assert len(channel.texts(A)) == 3


async def test_transient_errors_back_off_then_give_up(reminder_store, clock, channel, caplog):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(1, due), clock())
    channel.fail[A] = [Transient("502 Bad Gateway")] * 5
    clock.set(due)
    sweep = sweeper(reminder_store, channel, clock, max_attempts=5, backoff_base=30)
    waits = []
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            await sweep.run_once()
            row = await reminder_store.get(1)
            if row.status == "pending":
                waits.append((row.not_before - clock()).total_seconds())
                clock.set(row.not_before)
    assert waits == [30, 60, 120, 240]
    row = await reminder_store.get(1)
    assert (row.status, row.attempts) == ("failed", 5)
    assert "Transient : 502 Bad Gateway" in row.last_error
    assert "abandonné après 5 tentatives" in caplog.text


async def test_no_answer_after_sending_is_uncertain_and_never_resent(reminder_store, clock,
                                                                      channel, caplog):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(1, due), clock())
    channel.fail[A] = [MaybeSent("Timed out")]
    clock.set(due)
    sweep = sweeper(reminder_store, channel, clock)
    with caplog.at_level(logging.WARNING):
        report = await sweep.run_once()
    assert report.uncertain == [1]
    row = await reminder_store.get(1)
    assert row.status == "uncertain"
    assert "peut-être reçu, non renvoyé" in caplog.text
    clock.advance(3600)
    await sweep.run_once()
    assert (await reminder_store.get(1)).status == "uncertain"


async def test_an_unexpected_error_is_retried_then_sent(reminder_store, clock, channel):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(1, due), clock())
    channel.fail[A] = [ValueError("oops"), Transient("timeout")]
    clock.set(due)
    sweep = sweeper(reminder_store, channel, clock)
    for _ in range(3):
        await sweep.run_once()
        clock.advance(3600)
    row = await reminder_store.get(1)
    assert (row.status, row.attempts) == ("sent", 3)
    assert len(channel.texts(A)) == 1


async def test_rate_limits_hold_under_load(reminder_store, clock, channel):
    due = utc(2021, 3, 9, 8, 0)
    chats = list(range(1, 81))
    for chat in chats:
        await add(reminder_store, chat, fake_reminders(3, due), clock())
    await add(reminder_store, GROUP, fake_reminders(25, due), clock())
    clock.set(due)
    report = await sweeper(reminder_store, channel, clock).run_once()
    assert report.sent == 80 * 3 + 25
    sent = [((t - due).total_seconds(), chat) for t, chat, _ in channel.sent]
    for chat in [*chats, GROUP]:
        times = [t for t, c in sent if c == chat]
        assert all(b - a >= 1.0 - 1e-6 for a, b in itertools.pairwise(times))
    for start, _ in sent:
        assert sum(1 for t, _ in sent if start <= t < start + 1.0) <= 30
        group = [t for t, c in sent if c == GROUP and start <= t < start + 60.0]
        assert len(group) <= 20
    private = [t for t, c in sent if c != GROUP]
    assert private[-1] < 240 / 30 + 2                         # close to 30 messages/s
    assert max(t for t, c in sent if c == GROUP) >= 60.0


async def test_run_forever_sweeps_every_interval(reminder_store, clock, channel):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(1, due), clock())
    await add(reminder_store, B, fake_reminders(1, due + dt.timedelta(seconds=45)), clock())
    clock.set(due - dt.timedelta(seconds=10))
    sleeps = []

    class Enough(Exception):
        pass

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 4:
            raise Enough
        await clock.sleep(seconds)

    sweep = Sweeper(reminder_store, channel, compose=compose, clock=clock, sleep=sleep,
                    config=SweepConfig(interval=30))
    with pytest.raises(Enough):
        await sweep.run_forever()
    assert sleeps == [30, 30, 30, 30]
    assert [chat for _, chat, _ in channel.sent] == [A, B]


async def test_a_database_failure_after_sending_is_logged_and_never_resent(
        reminder_store, clock, channel, caplog, monkeypatch):
    due = utc(2021, 3, 9, 8, 0)
    await add(reminder_store, A, fake_reminders(1, due), clock())
    clock.set(due)

    async def broken(*args, **kwargs):
        raise OSError("disk I/O error")

    monkeypatch.setattr(reminder_store, "mark_sent", broken)
    with caplog.at_level(logging.ERROR):
        await sweeper(reminder_store, channel, clock).run_once()
    assert "rappel 1 : erreur" in caplog.text
    monkeypatch.undo()
    clock.advance(3600)
    report = await sweeper(reminder_store, channel, clock).run_once()
    assert report.uncertain == [1]
    assert len(channel.sent) == 1


async def test_a_full_batch_sweeps_again_at_once_unless_nothing_moved(reminder_store, clock,
                                                                       channel):
    due = utc(2021, 3, 9, 8, 0)
    for chat in range(1, 6):
        await add(reminder_store, chat, fake_reminders(1, due), clock())
    await add(reminder_store, 99, fake_reminders(2, due + dt.timedelta(seconds=1)), clock())
    clock.set(due + dt.timedelta(seconds=1))
    channel.fail[99] = [RetryLater(3600)]
    sleeps = []

    async def sleep(seconds: float) -> None:
        if seconds == 30:
            sleeps.append(seconds)
            if len(sleeps) == 2:
                raise asyncio.CancelledError
        await clock.sleep(seconds)

    sweep = Sweeper(reminder_store, channel, compose=compose, clock=clock, sleep=sleep,
                    config=SweepConfig(interval=30, batch=2))
    with pytest.raises(asyncio.CancelledError):
        await sweep.run_forever()
    assert len(channel.sent) == 5                  # three full batches back to back
    assert len(sleeps) == 2                        # then only the paused chat: wait
