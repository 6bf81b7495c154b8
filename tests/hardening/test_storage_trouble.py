"""Issue 12.9: /healthz says when the database cannot be written where it is (its folder
deleted while running), and a full disk is one warning a minute, not a traceback per update."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.assistant import Assistant
from bot.core.replies import Conversation, Incoming
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator
from tests.support.processes import START, stop, webhook_process
from tests.support.telegram import App, Person

# long enough (about 900 characters) that each record needs new pages
FALLBACK_QUESTIONS = [f"quelle est la couleur du ciel sur mars n° {i} " + "zorglub " * 110
                      for i in range(8)]


async def fill_the_disk(store: Store) -> None:
    """The database may not grow any more and its pages are full: SQLite answers "database
    or disk is full" to any new row."""
    [(pages,)] = await store.db.connection.execute_fetchall("PRAGMA page_count")
    await store.db.connection.execute(f"PRAGMA max_page_count = {pages}")
    with contextlib.suppress(sqlite3.OperationalError):
        for number in range(1, 100_000):
            await store.db.connection.execute(
                "INSERT INTO conversations (chat_id, user_id, seq, answers, history, editing,"
                " updated_at) VALUES (?, 0, 0, '{}', '[]', 0, '')", (-number,))
            await store.db.connection.commit()


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_healthz_fails_once_the_database_folder_is_deleted(emu: BotApiEmulator,
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "data"
    async with webhook_process(emu, folder / "bot.sqlite3") as (process, port), \
            httpx.AsyncClient() as http:
        url = f"http://127.0.0.1:{port}/healthz"
        deadline = asyncio.get_running_loop().time() + START
        while (await http.get(url)).json()["running"] is not True:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        assert (await http.get(url)).status_code == 200
        shutil.rmtree(folder)
        health = await http.get(url)
        assert health.status_code == 503
        assert health.json()["status"] == "erreur" and "introuvable" in health.json()["database"]
        await stop(process, signal.SIGTERM)


@pytest.mark.parametrize("database_target", ["sqlite"], indirect=True)  # SQLite's PRAGMA
async def test_a_full_disk_still_answers_and_warns_once(
        assistant: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    await fill_the_disk(assistant.store)
    caplog.set_level(logging.WARNING)
    for question in FALLBACK_QUESTIONS:
        replies = await assistant.handle(Conversation(1, 1), Incoming.text(question))
        assert replies and replies[0].text.strip()
    warnings = [r for r in caplog.records if "non modifiable" in r.getMessage()]
    assert len(warnings) == 1 and not tracebacks(caplog)


@pytest.mark.parametrize("database_target", ["sqlite"], indirect=True)  # SQLite's PRAGMA
async def test_a_full_disk_in_telegram_is_one_warning_not_a_traceback_per_update(
        app: App, person: Callable[..., Person], caplog: pytest.LogCaptureFixture) -> None:
    await fill_the_disk(app.bot_data["channel"].store)
    caplog.set_level(logging.WARNING)
    for number, question in enumerate(FALLBACK_QUESTIONS):
        someone = person(60 + number, f"Personne{number}")
        await someone.say(question)  # answered; its record is lost
        assert someone.text and "incident technique" not in someone.text
        await someone.say("/simulation")  # its state cannot be saved: an apology
        assert "incident technique" in someone.text
    warnings = [r for r in caplog.records if "non modifiable" in r.getMessage()]
    assert len(warnings) == 1 and not tracebacks(caplog)
