"""Fixtures for the emulator's own tests: a running emulator and a PTB Bot pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio
from telegram import Bot
from telegram.request import HTTPXRequest

from .emulator import BotApiEmulator


@pytest_asyncio.fixture(autouse=True)
async def no_leftover_tasks() -> AsyncIterator[None]:
    """Fail a test that leaves tasks running (servers, long polls, deliveries)."""
    yield
    await asyncio.sleep(0)
    current = asyncio.current_task()
    leftovers = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert not leftovers, f"tasks left running: {leftovers}"


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A started emulator, closed after the test."""
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest_asyncio.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """An initialised telegram.Bot (getMe done) with short timeouts."""
    request = HTTPXRequest(read_timeout=2.0, connect_timeout=2.0)
    async with emu.make_bot(request=request) as telegram_bot:
        yield telegram_bot
