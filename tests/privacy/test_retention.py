"""Retention: what is older than BOT_RETENTION_DAYS is purged (with a fixed clock), pending
reminders never; `python -m bot purge` does it from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot import cli
from bot.app import build_assistant
from bot.broadcast.store import BroadcastStore
from bot.content.loader import Content
from bot.core.config import Settings
from bot.privacy import erasure as privacy
from bot.reminders.store import ReminderStore
from bot.storage.store import Store
from tests.support.chat import FIXED_NOW, Chat
from tests.support.records import milestone_for, rows_of, subscribe

OLD = FIXED_NOW - dt.timedelta(days=400)
RECENT = FIXED_NOW - dt.timedelta(days=10)


async def activity(content: Content, store: Store, chat_id: int, at: dt.datetime) -> None:
    """A questionnaire left half-way, an unanswered question, reminders (one sent, one
    cancelled, one still to send), an announcement received: all at `at`."""
    assistant = build_assistant(content, store, clock=lambda: at)
    chat = Chat(assistant, chat_id, chat_id)
    await chat.say("/simulation")
    await chat.say("quelle est la couleur du ciel sur mars")
    await milestone_for(assistant, chat.conversation, at, count=3)
    reminders = ReminderStore(store.db)
    sent, cancelled, _ = await reminders.pending(chat_id)
    await reminders.claim(sent.id, at)
    await reminders.mark_sent(sent.id, at)
    await reminders.cancel(chat_id, cancelled.id, at)
    await subscribe(assistant, chat_id, at)
    broadcasts = BroadcastStore(store.db)
    draft = await broadcasts.draft(1, "Annonce", at)
    await broadcasts.queue(draft, 1, at)
    [delivery] = [d for d in await broadcasts.due(at) if d.chat_id == chat_id]
    await broadcasts.claim(delivery.id, at)
    await broadcasts.mark_sent(delivery.id, at)


async def test_purge_removes_what_is_older_than_the_retention(content: Content,
                                                              store: Store) -> None:
    await activity(content, store, 1, OLD)
    await activity(content, store, 2, RECENT)
    assistant = build_assistant(content, store, clock=lambda: FIXED_NOW)
    recent_before = await rows_of(assistant, 2)

    counts = await privacy.purge(store.db, FIXED_NOW, days=365)

    old = await rows_of(assistant, 1)
    assert (old["conversations"], old["unanswered"], old["events"],
            old["chat_territories"]) == (0, 0, 0, 0)
    # the old announcement's delivery is gone; the recent one, still to send, stays
    assert old["broadcast_deliveries"] == 1
    # the reminder still to send, and its milestone, are kept however old
    assert old["reminders"] == old["milestones"] == 1
    assert [r.status for r in await ReminderStore(store.db).pending(1)] == ["pending"]
    assert old["subscriptions"] == 1                     # a choice, kept until /desabonner
    assert await rows_of(assistant, 2) == recent_before  # younger than a year: all kept
    assert counts["reminders"] == 2 and counts["unanswered"] == 1
    assert counts["broadcasts"] == counts["broadcast_deliveries"] == 1

    counts = await privacy.purge(store.db, FIXED_NOW + dt.timedelta(days=365), days=365)
    assert counts["broadcast_deliveries"] == 1           # Bob's, sent; Alice's is pending
    assert counts["broadcasts"] == 0                     # it still has a delivery to send
    assert (await rows_of(assistant, 2))["conversations"] == 0


async def test_python_m_bot_purge(content: Content, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "bot.sqlite3"
    store = await Store.open(database)
    try:
        await activity(content, store, 1, dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
    finally:
        await store.close()
    monkeypatch.setenv("BOT_DATABASE", str(database))
    monkeypatch.setenv("BOT_RETENTION_DAYS", "60")
    assert await cli.purge(database, Settings.from_env().retention_days) == 0
    assert "0 ligne(s)" in capsys.readouterr().out
    assert await cli.purge(database, 30) == 0
    out = capsys.readouterr().out
    assert "Données de plus de 30 jours effacées" in out
    assert "1 questions sans réponse" in out and "2 rappels envoyés ou annulés" in out


def test_retention_setting() -> None:
    assert Settings.from_env({}).retention_days == 365
    assert Settings.from_env({"BOT_RETENTION_DAYS": "90"}).retention_days == 90
    with pytest.raises(ValueError, match="BOT_RETENTION_DAYS"):
        Settings.from_env({"BOT_RETENTION_DAYS": "0"})
    with pytest.raises(ValueError, match="BOT_RETENTION_DAYS"):
        Settings.from_env({"BOT_RETENTION_DAYS": "un an"})
