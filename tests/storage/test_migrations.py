"""Versioned migrations on both engines: from nothing, again (nothing to do), from an old
SQLite file, and by two processes at once."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiosqlite
import pytest

from bot.storage.migrations import migrate
from bot.storage.schema import MIGRATIONS, REMINDERS
from bot.storage.store import Store, connect

TABLES = {"unanswered", "conversations", "chats", "milestones", "reminders", "blocked_chats",
          "chat_territories", "events", "subscriptions", "broadcasts",
          "broadcast_deliveries", "talk_context"}
ROOT = Path(__file__).resolve().parents[2]


async def tables(target: str | Path) -> set[str]:
    db = await connect(target)
    try:
        sql = ("SELECT name FROM sqlite_master WHERE type = 'table'" if db.engine == "sqlite"
               else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in await db.fetchall(sql)}
    finally:
        await db.close()


async def test_migrate_builds_every_table_then_has_nothing_to_do(empty_database):
    db = await connect(empty_database)
    try:
        assert await migrate(db) == (0, len(MIGRATIONS))
        assert await migrate(db) == (len(MIGRATIONS), len(MIGRATIONS))
    finally:
        await db.close()
    assert await tables(empty_database) >= TABLES


async def test_two_processes_migrating_at_once_both_succeed(empty_database):
    code = ("import asyncio, sys; from bot.storage.migrations import migrate;"
            "from bot.storage.store import connect\n"
            "async def main():\n"
            "    db = await connect(sys.argv[1]); print(await migrate(db)); await db.close()\n"
            "asyncio.run(main())")
    runs = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, str(empty_database), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    outputs = [await asyncio.wait_for(run.communicate(), 60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    found = sorted(out.decode().strip() for out, _ in outputs)
    assert found == [f"(0, {len(MIGRATIONS)})", f"({len(MIGRATIONS)}, {len(MIGRATIONS)})"]
    assert await tables(empty_database) >= TABLES


async def test_an_old_sqlite_file_moves_up_from_its_user_version(tmp_path):
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path) as old:   # version 2, reminder tables made early
        await old.executescript(
            f"BEGIN; {MIGRATIONS[0]}; {MIGRATIONS[1]}; {REMINDERS}; PRAGMA user_version = 2;"
            " COMMIT;")
    store = await Store.open(path)
    await store.close()
    async with aiosqlite.connect(path) as db:
        [[version]] = await db.execute_fetchall("PRAGMA user_version")
    assert version == len(MIGRATIONS)
    assert await tables(path) >= TABLES


async def test_a_failed_migration_keeps_nothing_of_it(empty_database):
    broken = [*MIGRATIONS[:2], "CREATE TABLE half (id INTEGER); SELECT * FROM nowhere"]
    db = await connect(empty_database)
    try:
        with pytest.raises(Exception, match="nowhere"):
            await migrate(db, broken)
        assert await migrate(db, MIGRATIONS[:2]) == (0, 2)   # nothing of it was kept
    finally:
        await db.close()
    assert "half" not in await tables(empty_database)
