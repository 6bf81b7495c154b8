"""`python -m bot export` / `import`: a commune's SQLite data moves to PostgreSQL (and back)
with its reminders, as real processes on real databases."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest

from bot.broadcast.store import BroadcastStore
from bot.programme.deadlines import Milestone
from bot.reminders.store import ReminderStore
from bot.storage.schema import MIGRATIONS
from bot.storage.store import ConversationRow, Store
from tests.support.postgres import PostgresServer
from tests.support.processes import run_bot
from tests.support.reminders import fake_reminders

NOW = dt.datetime(2021, 3, 1, 12, tzinfo=dt.UTC)
GROUP = -1001234567890   # a supergroup: beyond 32-bit integers


async def fill(target: str | Path) -> None:
    """A bit of everything, written through the stores as the bot would."""
    store = await Store.open(target)
    try:
        await store.save_conversation(GROUP, 5, ConversationRow(
            seq=3, flow_id="simulation", flow_version=2, step="duree",
            answers={"postes": 2, "territoire": "guyane"}, history=("postes",), editing=True),
            NOW)
        await store.record_unanswered(chat_id=GROUP, user_id=5, question="et le 100 % ?",
                                      normalized="et le 100", band="fallback",
                                      candidates=[{"id": "a", "score": 0.5}], at=NOW)
        reminders = ReminderStore(store.db)
        await reminders.add_milestone(
            chat_id=GROUP, user_id=5, milestone=Milestone(kind="contrat_signe",
                                                          date=dt.date(2021, 3, 1)),
            territory="guyane", timezone="America/Cayenne",
            reminders=fake_reminders(3, NOW + dt.timedelta(days=1)), now=NOW)
        broadcasts = BroadcastStore(store.db)
        await broadcasts.subscribe(GROUP, NOW)
        await broadcasts.queue(await broadcasts.draft(1, "Annonce", NOW), 1, NOW)
        store.events.add(GROUP, "question_answered", NOW)
    finally:
        await store.close()


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> str:
    return postgres.create_database("moved")


def test_export_then_import_into_postgresql_keeps_everything(tmp_path: Path,
                                                             postgres_url: str) -> None:
    source = tmp_path / "commune.sqlite3"
    asyncio.run(fill(source))
    exported = run_bot(tmp_path, "export", str(tmp_path / "dump.jsonl"), database=source)
    assert exported.returncode == 0, exported.stderr
    lines = (tmp_path / "dump.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == {"format": "cnfs-assistant", "schema": len(MIGRATIONS)}

    imported = run_bot(tmp_path, "import", str(tmp_path / "dump.jsonl"), database=postgres_url)
    assert imported.returncode == 0, imported.stderr
    assert "3 reminders" in " ".join(imported.stdout.split())
    again = run_bot(tmp_path, "export", database=postgres_url)
    assert again.stdout.splitlines() == lines        # the same rows, the same values

    async def after() -> None:
        store = await Store.open(postgres_url)
        try:
            reminders = ReminderStore(store.db)
            assert [r.chat_id for r in await reminders.pending(GROUP)] == [GROUP] * 3
            row = await store.conversation(GROUP, 5)
            assert row is not None and row.editing and row.answers["territoire"] == "guyane"
            new = await store.record_unanswered(   # numbered after the imported rows
                chat_id=1, user_id=1, question="q", normalized="q", band="fallback",
                candidates=[], at=NOW)
            assert new == 2
        finally:
            await store.close()
    asyncio.run(after())


def test_import_refuses_a_database_with_data_and_a_foreign_file(tmp_path: Path,
                                                                 postgres_url: str) -> None:
    asyncio.run(fill(postgres_url))
    dump = tmp_path / "dump.jsonl"
    assert run_bot(tmp_path, "export", str(dump), database=postgres_url).returncode == 0
    refused = run_bot(tmp_path, "import", str(dump), database=postgres_url)
    assert refused.returncode == 1
    assert "n'est pas vide" in refused.stderr
    (tmp_path / "other.jsonl").write_text('{"format": "autre"}\n')
    foreign = run_bot(tmp_path, "import", str(tmp_path / "other.jsonl"),
                      database=tmp_path / "empty.sqlite3")
    assert foreign.returncode == 1
    assert "pas un export de l'assistant" in foreign.stderr
