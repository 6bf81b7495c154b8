"""Fixtures for reminders: real parameters, a fake clock, a reminder store, a fake channel."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.core.config import ROOT
from bot.programme.params import Parameters, load_parameters
from bot.reminders.store import ReminderStore
from tests.reminders.helpers import Channel, FakeClock, open_db


@pytest.fixture(scope="session")
def params() -> Parameters:
    """The repository's real knowledge/parametres.yaml."""
    return load_parameters(ROOT / "knowledge")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2021, 3, 1, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest_asyncio.fixture
async def store(db_path: Path) -> AsyncIterator[ReminderStore]:
    db = await open_db(db_path)
    yield ReminderStore(db)
    await db.close()


@pytest.fixture
def channel(clock: FakeClock) -> Channel:
    return Channel(clock)
