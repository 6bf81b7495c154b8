"""The reminder repository: rows for milestones and reminders, cancel, replace, block."""

from __future__ import annotations

import datetime as dt
import sqlite3

import aiosqlite
import pytest

from bot.programme.deadlines import Milestone, deadlines_for
from bot.programme.reminder_policy import plan
from bot.reminders.chat import describe_pending
from bot.reminders.listing import format_pending, list_pending, open_readonly
from bot.reminders.store import ReminderStore
from tests.support.reminders import add, fake_reminders

UTC = dt.UTC
NOW = dt.datetime(2021, 3, 1, 12, tzinfo=UTC)
CHAT, OTHER = 101, 202


async def record(reminder_store: ReminderStore, params, chat_id: int, kind: str, day: dt.date,
                 now: dt.datetime = NOW, timezone: str = "Europe/Paris") -> int:
    milestone = Milestone(kind=kind, date=day)
    schedule = plan(deadlines_for(milestone, params), timezone, now=now)
    return await reminder_store.add_milestone(
        chat_id=chat_id, user_id=chat_id, milestone=milestone, territory="metropole",
        timezone=timezone, reminders=schedule.planned, now=now)


async def test_a_milestone_becomes_pending_rows(reminder_store, params):
    await record(reminder_store, params, CHAT, "candidat_selectionne", dt.date(2021, 3, 1))
    pending = await reminder_store.pending(CHAT)
    assert [(r.deadline_kind, r.due_at, r.days_before) for r in pending] == [
        ("signature", dt.datetime(2021, 3, 9, 8, tzinfo=UTC), 7),
        ("signature", dt.datetime(2021, 3, 12, 8, tzinfo=UTC), 2),
        ("signature", dt.datetime(2021, 3, 16, 8, tzinfo=UTC), 0)]
    assert all(r.status == "pending" and r.attempts == 0 for r in pending)
    assert pending[0].deadline_date == dt.date(2021, 3, 16)
    assert pending[0].local_due_at.hour == 9
    milestones = await reminder_store.milestones(CHAT)
    assert [m.milestone for m in milestones] == [
        Milestone(kind="candidat_selectionne", date=dt.date(2021, 3, 1))]
    assert await reminder_store.last_territory(CHAT) == "metropole"
    assert await reminder_store.pending(OTHER) == []


async def test_a_new_milestone_of_the_same_kind_replaces_the_old(reminder_store, params):
    old = await record(reminder_store, params, CHAT, "candidat_selectionne", dt.date(2021, 3, 1))
    await record(reminder_store, params, CHAT, "contrat_signe", dt.date(2021, 3, 2))
    new = await record(reminder_store, params, CHAT, "candidat_selectionne", dt.date(2021, 3, 3))
    pending = await reminder_store.pending(CHAT)
    assert {r.milestone_id for r in pending} == {new, old + 1}
    assert {r.deadline_date for r in pending if r.milestone_id == new} == {
        dt.date(2021, 3, 18)}
    assert [m.milestone.kind for m in await reminder_store.milestones(CHAT)] == [
        "contrat_signe", "candidat_selectionne"]
    counts = await reminder_store.counts()
    assert counts == {"pending": 6, "cancelled": 3}


async def test_cancel_one_and_all_only_touch_that_chat(reminder_store, params):
    await record(reminder_store, params, CHAT, "candidat_selectionne", dt.date(2021, 3, 1))
    await record(reminder_store, params, CHAT, "contrat_signe", dt.date(2021, 3, 2))
    await record(reminder_store, params, OTHER, "candidat_selectionne", dt.date(2021, 3, 1))
    first = (await reminder_store.pending(CHAT))[0]
    assert not await reminder_store.cancel(OTHER, first.id, NOW)       # not this chat's reminder
    assert await reminder_store.cancel(CHAT, first.id, NOW)
    assert not await reminder_store.cancel(CHAT, first.id, NOW)        # already cancelled
    assert (await reminder_store.get(first.id)).status == "cancelled"
    assert len(await reminder_store.pending(CHAT)) == 5
    assert await reminder_store.cancel_all(CHAT, NOW) == 5
    assert await reminder_store.pending(CHAT) == []
    assert len(await reminder_store.pending(OTHER)) == 3
    assert len(await reminder_store.pending()) == 3


async def test_cancel_a_milestone_cancels_its_reminders(reminder_store, params):
    milestone_id = await record(reminder_store, params, CHAT, "candidat_selectionne",
                                dt.date(2021, 3, 1))
    assert await reminder_store.cancel_milestone(CHAT, milestone_id, NOW)
    assert await reminder_store.pending(CHAT) == []
    assert await reminder_store.milestones(CHAT) == []
    assert not await reminder_store.cancel_milestone(CHAT, milestone_id, NOW)


async def test_claim_is_exclusive_and_due_respects_time(reminder_store):
    due_at = dt.datetime(2021, 3, 9, 8, tzinfo=UTC)
    await add(reminder_store, CHAT, fake_reminders(2, due_at), NOW)
    assert await reminder_store.due(due_at - dt.timedelta(seconds=1)) == []
    due = await reminder_store.due(due_at)
    assert len(due) == 2
    claimed = await reminder_store.claim(due[0].id, due_at)
    assert claimed is not None and claimed.status == "sending" and claimed.attempts == 1
    assert await reminder_store.claim(due[0].id, due_at) is None
    assert [r.id for r in await reminder_store.due(due_at)] == [due[1].id]
    await reminder_store.mark_sent(due[0].id, due_at)
    assert (await reminder_store.get(due[0].id)).sent_at == due_at


async def test_retry_later_waits_and_a_429_does_not_count(reminder_store):
    due_at = dt.datetime(2021, 3, 9, 8, tzinfo=UTC)
    await add(reminder_store, CHAT, fake_reminders(1, due_at), NOW)
    [row] = await reminder_store.due(due_at)
    await reminder_store.claim(row.id, due_at)
    later = due_at + dt.timedelta(seconds=30)
    await reminder_store.retry_later(row.id, at=later, error="429", now=due_at,
                                     count_attempt=False)
    again = await reminder_store.get(row.id)
    assert (again.status, again.attempts, again.not_before) == ("pending", 0, later)
    assert await reminder_store.due(later - dt.timedelta(seconds=1)) == []
    assert len(await reminder_store.due(later)) == 1


async def test_block_and_unblock(reminder_store):
    past = dt.datetime(2021, 3, 9, 8, tzinfo=UTC)
    future = dt.datetime(2021, 3, 20, 8, tzinfo=UTC)
    await add(reminder_store, CHAT, fake_reminders(1, past), NOW)
    await add(reminder_store, CHAT, fake_reminders(1, future), NOW, kind="prise_de_poste")
    await add(reminder_store, OTHER, fake_reminders(1, past), NOW)
    assert await reminder_store.block_chat(CHAT, now=past, reason="Forbidden") == 2
    assert await reminder_store.is_blocked(CHAT)
    assert [r.chat_id for r in await reminder_store.due(future)] == [OTHER]
    assert await reminder_store.pending(CHAT) == []
    now = dt.datetime(2021, 3, 10, tzinfo=UTC)
    assert await reminder_store.unblock_chat(CHAT, now) == 1          # only the one still to come
    assert not await reminder_store.is_blocked(CHAT)
    assert [r.due_at for r in await reminder_store.pending(CHAT)] == [future]


async def test_a_new_milestone_unblocks_the_chat(reminder_store, params):
    await record(reminder_store, params, CHAT, "candidat_selectionne", dt.date(2021, 3, 1))
    await reminder_store.block_chat(CHAT, now=NOW, reason="Forbidden")
    await record(reminder_store, params, CHAT, "contrat_signe", dt.date(2021, 3, 2))
    assert not await reminder_store.is_blocked(CHAT)
    assert {r.deadline_kind for r in await reminder_store.pending(CHAT)} == {"depart_formation"}


async def test_skip_superseded_keeps_only_the_latest_overdue_of_a_deadline(reminder_store, params):
    await record(reminder_store, params, CHAT, "candidat_selectionne", dt.date(2021, 3, 1))
    later = dt.datetime(2021, 3, 12, 9, tzinfo=UTC)             # J-7 and J-2 overdue
    assert await reminder_store.skip_superseded(later) == 1
    assert [r.days_before for r in await reminder_store.due(later)] == [2]


async def test_recover_stuck_marks_uncertain_and_never_due_again(reminder_store):
    due_at = dt.datetime(2021, 3, 9, 8, tzinfo=UTC)
    await add(reminder_store, CHAT, fake_reminders(1, due_at), NOW)
    [row] = await reminder_store.due(due_at)
    await reminder_store.claim(row.id, due_at)
    assert await reminder_store.recover_stuck(due_at + dt.timedelta(minutes=1),
                                     dt.timedelta(minutes=5)) == []
    assert await reminder_store.recover_stuck(due_at + dt.timedelta(minutes=6),
                                     dt.timedelta(minutes=5)) == [row.id]
    assert (await reminder_store.get(row.id)).status == "uncertain"
    assert await reminder_store.due(due_at + dt.timedelta(days=1)) == []


@pytest.mark.parametrize("database_target", ["sqlite"], indirect=True)  # a read-only file
async def test_list_pending_read_only_with_the_bot_stopped(reminder_store, params,
                                                          database_target):
    await record(reminder_store, params, CHAT, "candidat_selectionne", dt.date(2021, 3, 1))
    await record(reminder_store, params, -5, "contrat_signe", dt.date(2021, 3, 16),
                 timezone="Indian/Reunion")
    await reminder_store.db.close()                                     # the bot stops
    db = await open_readonly(database_target)
    try:
        rows = await list_pending(db)
        with pytest.raises(sqlite3.OperationalError):
            async with db.write() as writer:
                await writer.execute("DELETE FROM reminders")
    finally:
        await db.close()
    assert [(r.chat_id, r.due_at_utc.hour, r.due_at_local.hour) for r in rows][:4] == [
        (CHAT, 8, 9), (CHAT, 8, 9), (CHAT, 8, 9), (-5, 5, 9)]
    assert rows[0].text.startswith("Rappel : la signature du contrat de travail")
    listing = format_pending(rows).replace("\u00a0", " ")
    assert listing.startswith("6 rappels en attente :")
    assert ("#1 · chat 101 · mardi 9 mars 2021 à 9 h 00 (Europe/Paris) · 2021-03-09 08:00 UTC"
            " · en attente") in listing
    assert "(Indian/Reunion) · 2021-03-24 05:00 UTC" in listing
    assert "<b>" not in listing


async def test_list_pending_without_tables_or_database(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    db = await aiosqlite.connect(empty)
    await db.close()
    db = await open_readonly(empty)
    assert await list_pending(db) == []
    await db.close()
    assert format_pending([]) == "Aucun rappel en attente."
    with pytest.raises(FileNotFoundError):
        await open_readonly(tmp_path / "missing.sqlite3")


async def test_describe_pending_for_the_chat(reminder_store, params):
    await record(reminder_store, params, CHAT, "candidat_selectionne", dt.date(2021, 3, 1))
    text = describe_pending(await reminder_store.pending(CHAT)).replace("\u00a0", " ")
    assert text.splitlines()[0] == (
        "• mardi 9 mars 2021 à 9 h 00 : la signature du contrat de travail doit intervenir "
        "au plus tard le mardi 16 mars 2021")
    assert describe_pending([]) == "Aucun rappel programmé."
