"""End-to-end helpers and fixtures (registered by the conftest of the directories that use
them): the real Application of bot/channels/telegram/channel.py against the local
Bot API (tests/support/botapi), and people who talk to it through that API."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.channels.telegram.channel import ALLOWED_UPDATES, build_application, webhook_options
from bot.channels.telegram.limits import RetryingRateLimiter
from bot.content.loader import Content
from bot.core import redaction
from bot.core.config import Settings
from bot.storage.database import is_url
from bot.storage.store import ConversationRow, Store
from tests.support.botapi import BotApiEmulator, Chat, User, ViewMessage, free_port
from tests.support.botapi.state import JsonDict, chat_instance
from tests.support.chat import FIXED_NOW, spaced
from tests.support.tasks import no_leftover_tasks  # noqa: F401 - autouse fixture

App = Application[Any, Any, Any, Any, Any, Any]
WEBHOOK_SECRET = "secret-du-webhook_42"


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A local Bot API; groups see everything (privacy mode off), so the assistant itself
    must ignore the talk that is not for it."""
    async with BotApiEmulator(bot_username="cnfs_assistant_bot", bot_name="Assistant CnFS",
                              privacy_mode=False) as emulator:
        redaction.protect(emulator.token)
        yield emulator


class Handled:
    """Update ids the Application has finished with (a last handler group records them)."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu
        self.ids: set[int] = set()

    async def record(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.ids.add(update.update_id)
        self.emu.state.changes.notify()

    async def wait(self, update_id: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        await self.emu.wait_until(lambda: update_id in self.ids, timeout,
                                  f"update {update_id} handled")


def settings_for(emu: BotApiEmulator, database: str | Path, port: int = 8080) -> Settings:
    """The settings `python -m bot run` would read, pointed at the emulator and the
    database (a SQLite file, or a PostgreSQL URL)."""
    return Settings.from_env({
        "TELEGRAM_BOT_TOKEN": emu.token, "TELEGRAM_API_URL": emu.base_url,
        "DATABASE_URL" if is_url(database) else "BOT_DATABASE": str(database),
        "PORT": str(port),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram", "WEBHOOK_SECRET": WEBHOOK_SECRET})


def test_limiter() -> RetryingRateLimiter:
    """Production limits and retries, with a short network backoff."""
    return RetryingRateLimiter(overall_max_rate=30, overall_time_period=1, group_max_rate=20,
                               group_time_period=60, max_retries=3, network_retries=3,
                               backoff=0.05)


test_limiter.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@asynccontextmanager
async def running_bot(emu: BotApiEmulator, content: Content, database: str | Path,
                      handled: Handled, *, webhook: bool = False) -> AsyncIterator[App]:
    """The real Application, started as run_polling / run_webhook do, stopped the same way."""
    settings = settings_for(emu, database, free_port())
    store = await Store.open(database)
    app = build_application(settings, content, store, clock=lambda: FIXED_NOW,
                            rate_limiter=test_limiter())
    app.add_handler(TypeHandler(Update, handled.record), group=100)
    async with serving(app, settings if webhook else None) as served:
        yield served


@asynccontextmanager
async def serving(app: App, webhook: Settings | None = None) -> AsyncIterator[App]:
    """Start an Application as run_polling / run_webhook do (webhook when settings are
    given), and stop it the same way."""
    await app.initialize()
    assert app.post_init is not None and app.post_shutdown is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    if webhook is not None:
        await app.updater.start_webhook(**webhook_options(webhook, listen="127.0.0.1"),
                                        allowed_updates=ALLOWED_UPDATES)
    else:
        await app.updater.start_polling(poll_interval=0, timeout=1,
                                        allowed_updates=ALLOWED_UPDATES)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)


@pytest.fixture
def database(database_target: str | Path) -> str | Path:
    """The bot's database, on each engine (tests/conftest.py)."""
    return database_target


@pytest.fixture
def handled(emu: BotApiEmulator) -> Handled:
    return Handled(emu)


@pytest_asyncio.fixture
async def app(emu: BotApiEmulator, content: Content, database: str | Path,
              handled: Handled) -> AsyncIterator[App]:
    """The assistant, long polling the emulator."""
    async with running_bot(emu, content, database, handled) as application:
        yield application


# What a simulation stores once its start date is answered (the steps of the tests that
# resume it after a restart, or spread it over two replicas).
SIMULATION_UNTIL_DURATION = {"postes": 2, "territoire": "guyane", "structure": "public",
                             "convention": "ami_2020", "debut": "2021-03-12"}


async def stored_state(database: str | Path, person: Person) -> ConversationRow | None:
    """A person's conversation as stored, read on a connection of its own."""
    store = await Store.open(database)
    try:
        return await store.conversation(person.chat.id, person.user.id)
    finally:
        await store.close()


Snapshot = dict[int, tuple[str | None, list[list[tuple[str, str | None]]]]]


class Person:
    """A Telegram user talking to the assistant: says, presses, reads what changed."""

    def __init__(self, emu: BotApiEmulator, handled: Handled, user: User, chat: Chat) -> None:
        self.emu = emu
        self.handled = handled
        self.user = user
        self.chat = chat
        self.last: list[ViewMessage] = []  # bot messages sent or edited by the last action
        self.last_query: JsonDict | None = None

    async def say(self, text: str, *, reply_to: int | None = None) -> list[ViewMessage]:
        """Send a text (or command) and wait until the assistant is done with it."""
        return await self._act(lambda: self.emu.send_text(self.chat, self.user, text,
                                                          reply_to=reply_to))

    async def press(self, label: str, message: ViewMessage | None = None) -> list[ViewMessage]:
        """Press the button `label` of `message` (default: the latest bot message showing it)."""
        target = message or self.message_with(label)
        exact = next(text for row in target.buttons for text, _ in row if spaced(text) == label)
        return await self._act(lambda: self._press(target.message_id, exact))

    async def press_data(self, message_id: int, data: str) -> list[ViewMessage]:
        """Send a callback query with any data from a bot message (a forged button)."""
        return await self._act(lambda: self._forge(message_id, data))

    async def _press(self, message_id: int, label: str) -> JsonDict:
        self.last_query = await self.emu.press(self.chat, self.user, message_id, label)
        return self.last_query

    async def _forge(self, message_id: int, data: str) -> JsonDict:
        state = self.emu.state
        query: JsonDict = {
            "id": state.new_query_id(), "from": self.user.to_api(),
            "message": copy.deepcopy(self.chat.messages[message_id]),
            "chat_instance": chat_instance(state.bot.id, self.chat.id), "data": data}
        state.open_queries[query["id"]] = query
        state.updates.push("callback_query", copy.deepcopy(query))
        self.last_query = query
        return query

    async def _act(self, action: Callable[[], Any]) -> list[ViewMessage]:
        before = self._snapshot()
        queue = self.emu.state.updates
        known = {u["update_id"] for u in (*queue.pending, *queue.delivered)}
        await action()
        fresh = [u["update_id"] for u in (*queue.pending, *queue.delivered)
                 if u["update_id"] not in known]
        assert fresh, "the assistant was not sent this update"
        await self.handled.wait(fresh[-1])
        self.last = [m for m in self.emu.bot_messages(self.chat)
                     if before.get(m.message_id) != (m.text, m.buttons)]
        return self.last

    def _snapshot(self) -> Snapshot:
        return {m.message_id: (m.text, m.buttons) for m in self.emu.bot_messages(self.chat)}

    def message_with(self, label: str) -> ViewMessage:
        """The latest bot message with a button labelled `label`."""
        for message in reversed(self.emu.bot_messages(self.chat)):
            if any(spaced(text) == label for row in message.buttons for text, _ in row):
                return message
        labels = [t for m in self.emu.bot_messages(self.chat) for r in m.buttons for t, _ in r]
        raise AssertionError(f"no button {label!r}; buttons: {labels}")

    @property
    def text(self) -> str:
        """The text of the messages the last action produced."""
        return spaced("\n".join(m.text or "" for m in self.last))

    @property
    def labels(self) -> list[str]:
        """The button labels of the messages the last action produced."""
        return [spaced(text) for m in self.last for row in m.buttons for text, _ in row]


@pytest.fixture
def person(emu: BotApiEmulator, handled: Handled) -> Callable[..., Person]:
    """Make a person: person(id, name) in a private chat, or person(id, name, chat=group)."""

    def make(user_id: int, name: str, chat: Chat | None = None) -> Person:
        user = emu.user(user_id, name, name.lower())
        return Person(emu, handled, user, chat or emu.private_chat(user))

    return make


SECRET_NAME = "Prénom-Très-Secret"


def broken_message(emu: BotApiEmulator, chat_id: int) -> dict:
    """A message without its required `date`: python-telegram-bot cannot build it."""
    return {"message_id": 1, "chat": {"id": chat_id, "type": "private",
                                      "first_name": SECRET_NAME},
            "from": {"id": chat_id, "is_bot": False, "first_name": SECRET_NAME},
            "text": SECRET_TEXT}


SECRET_TEXT = "Ma question confidentielle " + "x" * 200
