"""Two replicas on one PostgreSQL database: the updates of one chat are handled one at a time
across them (Database.chat_lock), so no read-then-write of a conversation is lost."""

from __future__ import annotations

import asyncio

from bot.storage.store import ConversationRow, Store
from tests.support.chat import FIXED_NOW

TURNS = 40


async def turn(store: Store, chat_id: int, *, locked: bool) -> None:
    """One update: read the conversation, think a little, write the next turn."""
    async def step() -> None:
        row = await store.conversation(chat_id, chat_id)
        await asyncio.sleep(0.002)
        await store.save_conversation(chat_id, chat_id,
                                      ConversationRow(seq=(row.seq if row else 0) + 1),
                                      FIXED_NOW)
    if locked:
        async with store.db.chat_lock(chat_id):
            await step()
    else:
        await step()


async def test_two_replicas_never_lose_a_turn_of_the_same_chat(postgres) -> None:
    """(SQLite serves one process: its updates are serialised by the channel's processor.)"""
    postgres.reset()
    replicas = [await Store.open(postgres.url), await Store.open(postgres.url)]
    try:
        await asyncio.gather(*(turn(replicas[i % 2], 7, locked=True) for i in range(TURNS)))
        row = await replicas[0].conversation(7, 7)
        assert row is not None and row.seq == TURNS
    finally:
        for replica in replicas:
            await replica.close()


async def test_without_the_lock_turns_are_lost(postgres) -> None:
    """The check above means something: the same turns unlocked lose updates."""
    postgres.reset()
    replicas = [await Store.open(postgres.url), await Store.open(postgres.url)]
    try:
        await asyncio.gather(*(turn(replicas[i % 2], 8, locked=False) for i in range(TURNS)))
        row = await replicas[0].conversation(8, 8)
        assert row is not None and row.seq < TURNS
    finally:
        for replica in replicas:
            await replica.close()
