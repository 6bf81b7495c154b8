"""Issue 12.5: two connections on one database (the engine's group commit and the reminder
sweep's own) wait for each other instead of failing with "database is locked"."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.storage.store import ConversationRow, Store
from bot.storage.transactions import transaction

NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)


async def test_a_writer_that_read_first_waits_for_the_other_connection(tmp_path: Path) -> None:
    engine, sweep = await Store.open(tmp_path / "bot.sqlite3"), \
        await Store.open(tmp_path / "bot.sqlite3")
    try:
        other_started = asyncio.Event()

        async def other_writer() -> None:
            other_started.set()
            await sweep.save_conversation(2, 2, ConversationRow(seq=1), NOW)

        async with transaction(engine.db.connection) as db:
            await db.execute_fetchall("SELECT count(*) FROM conversations")  # a read first
            task = asyncio.create_task(other_writer())
            await other_started.wait()
            await asyncio.sleep(0.3)  # the other connection tries to write meanwhile
            await db.execute(
                "INSERT INTO conversations (chat_id, user_id, seq, answers, history, editing,"
                " updated_at) VALUES (1, 1, 1, '{}', '[]', 0, ?)", (NOW.isoformat(),))
        await task
        assert await engine.conversation(1, 1) is not None
        assert await engine.conversation(2, 2) is not None
    finally:
        await engine.close()
        await sweep.close()
