"""Two replicas on one PostgreSQL database: the updates of one chat are handled one at a time
across them (Database.chat_lock), so no read-then-write of a conversation is lost."""

from __future__ import annotations

import asyncio

from bot.storage.store import ConversationRow, Store
from tests.support.chat import FIXED_NOW
from tests.support.postgres import PostgresServer

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


async def turns_kept(server: PostgresServer, chat_id: int, *, locked: bool) -> int:
    """TURNS updates of one chat spread over two replicas; how many turns the row counts."""
    server.reset()
    replicas = [await Store.open(server.url), await Store.open(server.url)]
    try:
        await asyncio.gather(*(turn(replicas[i % 2], chat_id, locked=locked)
                               for i in range(TURNS)))
        row = await replicas[0].conversation(chat_id, chat_id)
    finally:
        for replica in replicas:
            await replica.close()
    assert row is not None
    return row.seq


async def test_two_replicas_never_lose_a_turn_of_the_same_chat(postgres: PostgresServer) -> None:
    """(SQLite serves one process: its updates are serialised by the channel's processor.)"""
    assert await turns_kept(postgres, 7, locked=True) == TURNS


async def test_without_the_lock_turns_are_lost(postgres: PostgresServer) -> None:
    """The check above means something: the same turns unlocked lose updates."""
    assert await turns_kept(postgres, 8, locked=False) < TURNS
