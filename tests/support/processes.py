"""Shared test helpers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from asyncio.subprocess import Process
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.core.config import ROOT
from bot.storage.database import is_url
from tests.support.botapi import BotApiEmulator, free_port
from tests.support.telegram import WEBHOOK_SECRET


def bot_env(database: Path) -> dict[str, str]:
    env = {**os.environ, "BOT_DATABASE": str(database)}
    for name in ("TELEGRAM_BOT_TOKEN", "BOT_KNOWLEDGE_DIR", "BOT_FLOWS_DIR"):
        env.pop(name, None)
    return env


START = 30.0  # seconds for a process to import everything and load the content


def environment(emu: BotApiEmulator, database: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "WEBHOOK_", "BOT_")) and k != "PORT"}
    env.update(TELEGRAM_BOT_TOKEN=emu.token, TELEGRAM_API_URL=emu.base_url,
               BOT_DATABASE=str(database), **extra)
    return env


@asynccontextmanager
async def bot_process(env: dict[str, str], *args: str) -> AsyncIterator[Process]:
    """`python -m bot run *args`, killed at the end if it is still running."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@asynccontextmanager
async def webhook_process(emu: BotApiEmulator,
                          database: Path) -> AsyncIterator[tuple[Process, int]]:
    """`python -m bot run --webhook` on 127.0.0.1:port/hook with its secret, once it has set
    its webhook; the process and the port."""
    port = free_port()
    env = environment(emu, database, PORT=str(port), WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
                      WEBHOOK_SECRET=WEBHOOK_SECRET)
    async with bot_process(env, "--webhook") as process:
        await emu.wait_until(lambda: emu.state.webhook is not None, START, "the webhook set")
        yield process, port


async def stop(process: Process, sig: int) -> tuple[int, str]:
    """Send `sig`, wait for the exit; the exit code and what the process logged."""
    process.send_signal(sig)
    _, stderr = await asyncio.wait_for(process.communicate(), START)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


def run_bot(tmp_path: Path, *args: str, stdin: str = "",
            database: str | Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` on `database` (a SQLite file or a PostgreSQL URL; default: a
    file in tmp_path)."""
    env = {**os.environ, "BOT_DATABASE": str(tmp_path / "bot.sqlite3")}
    for name in ("TELEGRAM_BOT_TOKEN", "BOT_KNOWLEDGE_DIR", "BOT_FLOWS_DIR", "DATABASE_URL"):
        env.pop(name, None)
    if database is not None:
        env["DATABASE_URL" if is_url(database) else "BOT_DATABASE"] = str(database)
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=env, cwd=ROOT, timeout=60, check=False)
