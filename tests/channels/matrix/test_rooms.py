"""Rooms on a real Synapse: a group room where the assistant speaks only when addressed, a
direct room whose member leaves (suspended like a Telegram 403), homeserver rate limits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import nio

from bot.channels.matrix.send import send_content
from bot.content.loader import Content
from bot.delivery.errors import RetryLater
from tests.support.matrix import (
    matrix_settings,
    matrix_user,
    name,
    running_channel,
    said,
    talk,
)
from tests.support.synapse import Synapse


async def test_in_a_group_room_only_what_is_addressed_is_answered(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    bot = synapse.register(name("bot"))
    settings = matrix_settings(synapse, bot, tmp_path / "bot.sqlite3")
    async with running_channel(settings, content), \
            matrix_user(synapse, name("erin"), tmp_path) as erin, \
            matrix_user(synapse, name("finn"), tmp_path) as finn:
        created = await erin.client.room_create(invite=[bot.user_id, finn.account.user_id])
        assert isinstance(created, nio.RoomCreateResponse)
        room = created.room_id
        await finn.until(lambda: room in finn.client.invited_rooms, "finn's invitation")
        assert isinstance(await finn.client.join(room), nio.JoinResponse)
        await erin.until(lambda: bot.user_id in erin.client.rooms[room].users, "bot joined")
        mark = len(erin.received)
        await erin.say(room, "bonjour tout le monde, combien pour 2 postes en outre-mer ?")
        await asyncio.sleep(1.5)
        assert erin.received[mark:] == []  # talk between members: silence
        [help_] = await erin.ask(room, "/aide")
        assert help_.content["m.relates_to"]["m.in_reply_to"]["event_id"]
        mentioned = await erin.ask(room, f"{bot.user_id}: combien pour 2 postes en outre-mer ?",
                                   **{"m.mentions": {"user_ids": [bot.user_id]}})
        assert "€" in mentioned[0].body
        replied = await finn.ask(room, "et pour 3 postes ?", **{"m.relates_to": {
            "m.in_reply_to": {"event_id": mentioned[0].event.event_id}}})
        assert replied and replied[0].content["m.relates_to"]


async def test_a_member_who_leaves_suspends_the_room(synapse: Synapse, content: Content,
                                                    tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "gus") as gus:
        assert await gus.ask("/aide")
        assert isinstance(await gus.user.client.room_leave(gus.room), nio.RoomLeaveResponse)
        await gus.user.until(lambda: bool(gus.channel.inactive), "the room suspended")
    async with aiosqlite.connect(gus.database) as db, \
            db.execute("SELECT chat_id, active FROM chats") as cursor:
        [(chat_id, active)] = await cursor.fetchall()
    assert active == 0 and chat_id > 2**53


async def test_m_limit_exceeded_is_retry_later_and_replies_still_arrive(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "hana", encrypted=False) as hana:
        client, room = hana.channel.client, hana.room
        await hana.user.until(lambda: room in client.rooms, "the room synced by the bot")
        synapse.override_ratelimit(hana.bot.user_id, 1, 1)
        try:
            limited = None
            for _ in range(5):
                try:
                    await send_content(client, room, {"msgtype": "m.text", "body": "essai"})
                except RetryLater as exc:
                    limited = exc
                    break
            assert limited is not None and 0 < limited.seconds <= 2
            mark = len(hana.user.received)
            for question in ("/aide", "/menu", "/aide"):
                await hana.user.say(room, question)
            await hana.user.until(lambda: len([r for r in hana.user.received[mark:]
                                               if not r.body.startswith("essai")]) >= 3,
                                  "three answers despite the limit")
        finally:
            synapse.override_ratelimit(hana.bot.user_id, 10000, 10000)


async def test_the_assistant_syncs_again_after_a_homeserver_restart(
        content: Content, tmp_path: Path) -> None:
    own = Synapse.start(tmp_path / "synapse")  # its own: restarting the shared one would
    try:                                       # disturb the other tests
        async with talk(own, content, tmp_path, "ines", encrypted=False) as ines:
            assert "€" in said(await ines.ask("combien pour 2 postes en outre-mer ?"))
            await asyncio.to_thread(own.restart)
            await asyncio.sleep(1.0)  # the assistant's sync has failed meanwhile
            again = await ines.ask("combien pour 3 postes en outre-mer ?")
            assert "€" in said(again)
    finally:
        own.stop()
