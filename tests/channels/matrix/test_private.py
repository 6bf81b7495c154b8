"""The assistant in an encrypted direct room on a real Synapse: invitation, FAQ, escaping."""

from __future__ import annotations

import secrets
from pathlib import Path

from bot.content.loader import Content
from tests.support.matrix import matrix_settings, matrix_user, running_channel
from tests.support.synapse import Synapse


def name(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(3)}"


async def test_an_encrypted_direct_room_gets_encrypted_answers(
        synapse: Synapse, content: Content, tmp_path: Path) -> None:
    bot = synapse.register(name("bot"))
    settings = matrix_settings(synapse, bot, tmp_path / "bot.sqlite3")
    async with running_channel(settings, content), \
            matrix_user(synapse, name("alice"), tmp_path) as alice:
        room = await alice.direct_room(bot.user_id)
        answers = await alice.ask(room, "combien pour 2 postes en outre-mer ?")
        assert answers and all(a.encrypted for a in answers)
        assert "€" in answers[0].body
        assert answers[0].content["format"] == "org.matrix.custom.html"
