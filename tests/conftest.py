"""Fixtures for every test: the real content and parameters, a fresh database on each engine
(a SQLite file, then the session's PostgreSQL server), an assistant, a reminder store and a
fake clock (the helpers themselves are in tests/support/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot import app
from bot.app import build_assistant
from bot.assistant import Assistant
from bot.content.loader import Content
from bot.faq.feature import FaqFeature
from bot.programme.params import Parameters, load_parameters
from bot.reminders.store import ReminderStore
from bot.storage.store import Store
from tests.support.admin import content_dirs  # noqa: F401 - fixture (content copied to edit)
from tests.support.chat import FIXED_NOW, FLOWS, KNOWLEDGE, Chat, temporary_store
from tests.support.postgres import PostgresServer
from tests.support.reminders import Channel, FakeClock, open_db


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The FAQ's trained model goes to this run's folder (processes started by tests too),
    never to the user's cache."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BOT_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def content() -> Content:
    """The repository's real content, loaded once."""
    return app.load(KNOWLEDGE, FLOWS)


@pytest.fixture(scope="session")
def params() -> Parameters:
    """The repository's real knowledge/parametres.yaml."""
    return load_parameters(KNOWLEDGE)


ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server, started at the first test that needs it; never
    skipped: if it cannot start, those tests fail with the reason."""
    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=ENGINES)
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where an empty database is, on each engine: a SQLite file, or the URL of the test
    server's database with every table emptied."""
    if request.param == "sqlite":
        return tmp_path / "bot.sqlite3"
    server: PostgresServer = request.getfixturevalue("postgres")
    server.reset()
    return server.url


@pytest.fixture(params=ENGINES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A database never migrated, on each engine: a new SQLite file, or a new database on
    the test server."""
    if request.param == "sqlite":
        return tmp_path / "new.sqlite3"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database("fresh")


@pytest.fixture(params=ENGINES)
def bench_database(request: pytest.FixtureRequest) -> str | None:
    """A bench's database (bench/reminders.py, bench/broadcast.py): None, its own SQLite
    file, or an empty database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return None
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database("bench")


store = pytest_asyncio.fixture(temporary_store, name="store")


@pytest_asyncio.fixture
async def assistant(content: Content, store: Store) -> Assistant:
    return build_assistant(content, store, clock=lambda: FIXED_NOW)


@pytest.fixture
def faq(assistant: Assistant) -> FaqFeature:
    """The assistant's FAQ feature: its answers without a conversation."""
    return assistant.feature(FaqFeature)


@pytest.fixture
def chat(assistant: Assistant) -> Chat:
    return Chat(assistant)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2021, 3, 1, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest_asyncio.fixture
async def reminder_store(database_target: str | Path) -> AsyncIterator[ReminderStore]:
    """The reminders' store alone, on its own connection to a fresh database."""
    db = await open_db(database_target)
    yield ReminderStore(db)
    await db.close()


@pytest.fixture
def channel(clock: FakeClock) -> Channel:
    """A fake sending channel that records what the sweep sends."""
    return Channel(clock)
