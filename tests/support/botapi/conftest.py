"""Fixtures for the emulator's own tests: a running emulator and a PTB Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from telegram import Bot
from telegram.request import HTTPXRequest

from tests.support.tasks import no_leftover_tasks  # noqa: F401 - autouse fixture

from .emulator import BotApiEmulator


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
