"""Commands over Matrix: administrators named by Matrix id (MATRIX_ADMIN_IDS), /oubli erasing
what the channel keeps too (the options shown)."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.content.loader import Content
from bot.delivery.sweep import SweepConfig
from tests.support.matrix import matrix_settings, matrix_user, name, running_channel, said, talk
from tests.support.synapse import Synapse


async def options_rows(database: Path) -> int:
    async with aiosqlite.connect(database) as db, \
            db.execute("SELECT count(*) FROM matrix_options") as cursor:
        [(count,)] = await cursor.fetchall()
    return int(count)


async def test_admin_commands_for_admin_matrix_ids_only(synapse: Synapse, content: Content,
                                                        tmp_path: Path) -> None:
    bot = synapse.register(name("bot"))
    async with matrix_user(synapse, name("ivy"), tmp_path) as ivy, \
            matrix_user(synapse, name("jules"), tmp_path) as jules:
        settings = matrix_settings(synapse, bot, tmp_path / "bot.sqlite3",
                                   MATRIX_ADMIN_IDS=ivy.account.user_id)
        async with running_channel(settings, content):
            admin_room = await ivy.direct_room(bot.user_id)
            assert "Usage des 7 derniers jours" in said(await ivy.ask(admin_room, "/stats"))
            room = await jules.direct_room(bot.user_id)
            assert "Je ne connais pas la commande /stats" in said(await jules.ask(room,
                                                                                  "/stats"))


async def test_oubli_erases_the_options_shown(synapse: Synapse, content: Content,
                                              tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "kim") as kim:
        await kim.ask("/simulation")
        assert "[1] Oui, tout effacer" in said(await kim.ask("/oubli"))
        assert await options_rows(kim.database) == 1
        assert "effacé" in said(await kim.ask("1"))
        assert await options_rows(kim.database) == 0


async def test_an_announcement_reaches_the_subscribed_rooms(synapse: Synapse, content: Content,
                                                            tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "olga", admin=True,
                    sweep=SweepConfig(interval=0.2)) as olga:
        assert "recevra les annonces" in said(await olga.ask("/abonner"))
        asked = said(await olga.ask("/diffuser Réunion des conseillers jeudi"))
        assert "[1] Envoyer à 1 conversation" in asked
        mark = len(olga.user.received)
        await olga.user.say(olga.room, "1")
        await olga.user.until(lambda: any("Réunion des conseillers jeudi" in r.body
                                          for r in olga.user.received[mark:]),
                              "the announcement")
        [announcement] = [r for r in olga.user.received[mark:] if "📢" in r.body]
        assert announcement.encrypted


async def test_admin_figures_asked_in_a_group_arrive_in_the_direct_room(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "paul", admin=True) as paul, \
            matrix_user(synapse, name("quinn"), tmp_path) as quinn:
        await paul.ask("/aide")  # paul already talks to the assistant in a direct room
        created = await paul.user.client.room_create(
            invite=[paul.bot.user_id, quinn.account.user_id])
        group = created.room_id
        await quinn.until(lambda: group in quinn.client.invited_rooms, "quinn's invitation")
        await quinn.client.join(group)
        await paul.user.until(lambda: paul.bot.user_id in paul.user.client.rooms[group].users,
                              "the assistant in the group")
        mark = len(paul.user.received)
        await paul.user.say(group, "/stats")
        await paul.user.until(lambda: any("Usage des 7 derniers jours" in r.body
                                          for r in paul.user.received[mark:]), "the figures")
        figures = [r for r in paul.user.received[mark:] if "Usage des 7" in r.body]
        assert [r.room_id for r in figures] == [paul.room]  # never in the group
