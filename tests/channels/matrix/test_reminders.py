"""/rappels over Matrix: a milestone entered in an encrypted room, its reminder delivered in
that room when the (fixed, then moved) clock reaches 9 h, Paris time, and only once."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import aiosqlite

from bot.content.loader import Content
from bot.delivery.sweep import SweepConfig
from tests.support.matrix import said, talk
from tests.support.reminders import FakeClock
from tests.support.synapse import Synapse

FAST = SweepConfig(interval=0.2)


async def statuses(database: Path) -> list[str]:
    async with aiosqlite.connect(database) as db, \
            db.execute("SELECT status FROM reminders ORDER BY due_at") as cursor:
        return [row[0] for row in await cursor.fetchall()]


async def test_a_reminder_arrives_in_the_room_once(synapse: Synapse, content: Content,
                                                  clock: FakeClock, tmp_path: Path) -> None:
    async with talk(synapse, content, tmp_path, "dora", clock=clock, sweep=FAST) as talking:
        dora, room, database = talking.user, talking.room, talking.database
        assert "Où en est votre recrutement ?" in said(await dora.ask(room, "/rappels"))
        asked = said(await dora.ask(room, "J'ai sélectionné un candidat"))
        assert "sélectionné le candidat" in asked
        await dora.ask(room, "1er mars")
        recap = said(await dora.ask(room, "Métropole (Hexagone et Corse)"))
        assert "• vendredi 12 mars 2021 à 9 h 00" in recap
        await dora.ask(room, "Programmer ces rappels")
        assert set(await statuses(database)) == {"pending"}
        mark = len(dora.received)
        clock.set(dt.datetime(2021, 3, 12, 8, 0, 30, tzinfo=dt.UTC))  # 9 h 00 in Paris
        [reminder] = await dora.answers(room, mark)
        assert reminder.body.startswith("Rappel :") and reminder.encrypted
        assert "16 mars 2021" in reminder.body.replace("\u00a0", " ")
        await asyncio.sleep(1.0)  # several more sweeps: nothing sent twice
        assert len([r for r in dora.received[mark:] if r.room_id == room]) == 1
        assert (await statuses(database)).count("sent") == 1
