"""`python -m bot reminders`: pending reminders from the database file, read-only, bot stopped."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from bot.app import build_assistant
from bot.content.loader import Content
from bot.core.config import ROOT
from bot.storage.store import Store
from tests.support.chat import Chat

NOW = dt.datetime(2021, 3, 1, 12, 0, tzinfo=dt.UTC)


def reminders_command(database: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_DATABASE": str(database)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot", "reminders"], text=True,
                          capture_output=True, env=env, cwd=ROOT, timeout=60, check=False)


async def test_lists_pending_reminders_local_and_utc(content: Content, tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    store = await Store.open(database)
    try:
        chat = Chat(build_assistant(content, store, clock=lambda: NOW), chat_id=-1001, user_id=5)
        await chat.say("/rappels")
        await chat.press("Le contrat est signé")
        await chat.say("01/03/2021")
        await chat.press("Autre collectivité d'outre-mer")
        await chat.press("Nouvelle-Calédonie")
        await chat.press("Programmer ces rappels")
    finally:
        await store.close()
    before = database.stat().st_mtime_ns
    result = reminders_command(database)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.replace("\u00a0", " ").splitlines()
    assert lines[0] == "3 rappels en attente :"
    # 9:00 in Nouméa (UTC+11) is 22:00 UTC the day before
    assert lines[1] == ("#1 · chat -1001 · mardi 9 mars 2021 à 9 h 00 (Pacific/Noumea) · "
                        "2021-03-08 22:00 UTC · en attente")
    assert lines[2].startswith("    Rappel : le conseiller doit partir en formation au plus "
                               "tard le mardi 16 mars 2021 (dans 7 jours).")
    assert "<b>" not in result.stdout
    assert database.stat().st_mtime_ns == before


def test_no_database_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    database = tmp_path / "absent" / "bot.sqlite3"
    result = reminders_command(database)
    assert result.returncode == 1
    assert "aucune base de données" in result.stderr
    assert not database.parent.exists()


async def test_empty_database(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await (await Store.open(database)).close()
    result = reminders_command(database)
    assert (result.returncode, result.stdout.strip()) == (0, "Aucun rappel en attente.")
