"""Issue 12.11: an administrator's /stats in a group sends the figures to them privately;
the group only reads that they were sent privately."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.content.loader import Content
from tests.support.admin import ADMIN_ID, admin_bot
from tests.support.botapi import BotApiEmulator
from tests.support.chat import spaced
from tests.support.telegram import Handled, Person

FIGURES = "Usage des 7 derniers jours"


async def test_stats_in_a_group_go_to_the_administrator_privately(
        emu: BotApiEmulator, content: Content, database: Path, handled: Handled,
        person: Callable[..., Person]) -> None:
    group = emu.group_chat(-100777, "Mairie de Trifouilly", supergroup=True)
    async with admin_bot(emu, content, database, handled):
        admin = person(ADMIN_ID, "Admin", chat=group)
        private = emu.private_chat(admin.user, started=True)
        person(71, "Membre", chat=group)
        await admin.say("/stats")
        group_text = spaced("\n".join(m.text or "" for m in emu.bot_messages(group)))
        assert FIGURES not in group_text
        assert "en discussion privée" in group_text
        private_text = spaced("\n".join(m.text or "" for m in emu.bot_messages(private)))
        assert FIGURES in private_text
