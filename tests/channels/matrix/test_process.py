"""`python -m bot run` serving Matrix in its own process: password login, SIGTERM, and after
the restart the same device (no new one) still reading and writing the encrypted room."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from asyncio.subprocess import Process
from pathlib import Path

import aiosqlite

from tests.support.matrix import matrix_user
from tests.support.processes import START, bot_process
from tests.support.synapse import Synapse


async def ready(process: Process, lines: list[str]) -> asyncio.Task[None]:
    """Read the process's log in the background (a full pipe would stall it) until it says
    it is ready; the reading task goes on."""
    said_ready = asyncio.Event()

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            lines.append(raw.decode(errors="replace"))
            if "Assistant prêt sur Matrix" in lines[-1]:
                said_ready.set()

    task = asyncio.create_task(read())
    try:
        await asyncio.wait_for(said_ready.wait(), START)
    except TimeoutError:
        raise AssertionError("".join(lines)) from None
    return task


async def device_of(database: Path) -> str:
    async with aiosqlite.connect(database) as db, \
            db.execute("SELECT device_id FROM matrix_account") as cursor:
        [(device,)] = await cursor.fetchall()
    return str(device)


async def test_run_serves_matrix_and_keeps_its_device_across_a_restart(
        synapse: Synapse, tmp_path: Path) -> None:
    bot = synapse.register(f"bot_{secrets.token_hex(3)}")
    database = tmp_path / "bot.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_",
                                                                     "MATRIX_", "WEBHOOK_"))}
    env.update(BOT_DATABASE=str(database), MATRIX_HOMESERVER=synapse.url,
               MATRIX_USER_ID=bot.user_id, MATRIX_PASSWORD=bot.password)
    log: list[str] = []
    async with matrix_user(synapse, f"lea_{secrets.token_hex(3)}", tmp_path) as lea:
        async with bot_process(env) as process:
            reading = await ready(process, log)
            room = await lea.direct_room(bot.user_id)
            first = await lea.ask(room, "combien pour 2 postes en outre-mer ?")
            assert first[0].encrypted and "€" in first[0].body
            process.send_signal(signal.SIGTERM)
            assert await process.wait() == 0, "".join(log)
            await reading
        device = await device_of(database)
        async with bot_process(env) as process:
            reading = await ready(process, log)
            again = await lea.ask(room, "combien pour 3 postes en outre-mer ?")
            assert again[0].encrypted and "€" in again[0].body
            process.send_signal(signal.SIGTERM)
            assert await process.wait() == 0, "".join(log)
            await reading
    assert await device_of(database) == device
    devices = synapse.request("GET", f"/_synapse/admin/v2/users/{bot.user_id}/devices",
                              token=synapse.admin.access_token if synapse.admin else None)
    # the registration's device and the one password login created, used by both runs
    assert sorted(d["device_id"] for d in devices["devices"]) == sorted([device, bot.device_id])
