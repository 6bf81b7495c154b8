"""`python -m bot run` serving Matrix in its own process: password login, SIGTERM, and after
the restart the same device (no new one) still reading and writing the encrypted room; an
unreachable homeserver said in one line."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from asyncio.subprocess import Process
from pathlib import Path

import aiosqlite

from tests.support.botapi import free_port
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


async def test_an_unreachable_homeserver_is_said_plainly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_",
                                                                     "MATRIX_", "WEBHOOK_"))}
    env.update(BOT_DATABASE=str(tmp_path / "bot.sqlite3"),
               MATRIX_HOMESERVER=f"http://127.0.0.1:{free_port()}",
               MATRIX_USER_ID="@bot:test.local", MATRIX_ACCESS_TOKEN="syt_jeton")
    async with bot_process(env) as process:
        _, err = await asyncio.wait_for(process.communicate(), START * 2)
    log = err.decode()
    assert process.returncode == 1, log
    assert "Serveur Matrix injoignable" in log and "Traceback" not in log
    assert "syt_jeton" not in log
