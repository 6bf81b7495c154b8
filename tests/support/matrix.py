"""The Matrix side of the tests: a matrix-nio client playing the user (its own device and
crypto store, so it reads and writes encrypted rooms), and the assistant's channel run in the
test's event loop against the test Synapse (tests/support/synapse.py)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nio

from bot.channels.matrix.channel import MatrixChannel, open_channel
from bot.content.loader import Content
from bot.core.config import Settings
from bot.delivery.sweep import SweepConfig
from bot.storage.store import Store
from tests.support.synapse import Account, Synapse

QUIET = 0.6  # seconds without a new message: the assistant has finished answering
WAIT = 20.0  # seconds for a first answer (encryption set-up included)
ENCRYPTION = {"type": "m.room.encryption", "state_key": "",
              "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


@dataclass
class Received:
    """A message the user's client got from the assistant."""

    room_id: str
    body: str
    content: dict[str, Any]
    encrypted: bool
    event: Any = field(repr=False, default=None)

    @property
    def html(self) -> str:
        return str(self.content.get("formatted_body") or "")


class MatrixUser:
    """A person on Matrix, as a real client: creates rooms, writes, reads the answers."""

    def __init__(self, synapse: Synapse, account: Account, store_dir: Path) -> None:
        self.synapse = synapse
        self.account = account
        store_dir.mkdir(parents=True, exist_ok=True)
        config = nio.AsyncClientConfig(store_sync_tokens=True, encryption_enabled=True)
        self.client = nio.AsyncClient(synapse.url, account.user_id, store_path=str(store_dir),
                                      config=config)
        self.client.restore_login(account.user_id, account.device_id, account.access_token)
        self.received: list[Received] = []
        self.arrived = asyncio.Event()  # set at each message received
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.client.add_event_callback(self._on_message,
                                       (nio.RoomMessageText, nio.RoomMessageMedia,
                                        nio.RoomEncryptedMedia))
        await self.client.sync(timeout=0, full_state=True)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        self._task = asyncio.create_task(self.client.sync_forever(timeout=500))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.client.close()

    async def _on_message(self, room: nio.MatrixRoom, event: Any) -> None:
        if event.sender == self.account.user_id:
            return
        content = event.source.get("content", {})
        self.received.append(Received(room.room_id, getattr(event, "body", ""), content,
                                      bool(getattr(event, "decrypted", False)), event))
        self.arrived.set()

    async def direct_room(self, bot_id: str, *, encrypted: bool = True) -> str:
        """A direct room with the assistant, once it has joined."""
        created = await self.client.room_create(
            is_direct=True, invite=[bot_id], initial_state=[ENCRYPTION] if encrypted else [])
        assert isinstance(created, nio.RoomCreateResponse), created
        await self.until(lambda: bot_id in self._joined(created.room_id), "the bot joined")
        return created.room_id

    def _joined(self, room_id: str) -> set[str]:
        room = self.client.rooms.get(room_id)
        return set(room.users) if room is not None else set()

    async def until(self, condition: Any, what: str, seconds: float = WAIT) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.05)

    async def say(self, room_id: str, text: str, **extra: Any) -> None:
        """Send a text; like Element, the devices of new members are queried first, so that
        the room key reaches the assistant's device."""
        if self.client.should_query_keys:
            await self.client.keys_query()
        sent = await self.client.room_send(room_id, "m.room.message",
                                           {"msgtype": "m.text", "body": text, **extra},
                                           ignore_unverified_devices=True)
        assert isinstance(sent, nio.RoomSendResponse), sent

    async def ask(self, room_id: str, text: str, **extra: Any) -> list[Received]:
        """Write, then every answer until the assistant is quiet."""
        mark = len(self.received)
        await self.say(room_id, text, **extra)
        return await self.answers(room_id, mark)

    async def answers(self, room_id: str, mark: int) -> list[Received]:
        """The messages in `room_id` after the first `mark`, once the assistant is quiet."""
        def new() -> list[Received]:
            return [r for r in self.received[mark:] if r.room_id == room_id]

        await self.until(new, "an answer")
        count, quiet_since = len(new()), time.monotonic()
        while time.monotonic() - quiet_since < QUIET:
            await asyncio.sleep(0.05)
            if len(new()) != count:
                count, quiet_since = len(new()), time.monotonic()
        return new()


def matrix_settings(synapse: Synapse, bot: Account, database: Path, **extra: str) -> Settings:
    """Settings of an assistant serving `bot` on the test Synapse."""
    return Settings.from_env({"BOT_DATABASE": str(database), "MATRIX_HOMESERVER": synapse.url,
                              "MATRIX_USER_ID": bot.user_id,
                              "MATRIX_ACCESS_TOKEN": bot.access_token,
                              "MATRIX_STORE_DIR": str(database.parent / "matrix"), **extra})


@asynccontextmanager
async def running_channel(settings: Settings, content: Content, *,
                          clock: Any = None,
                          sweep: SweepConfig | None = None,
                          **options: Any) -> AsyncIterator[MatrixChannel]:
    """The assistant on Matrix, started in this event loop; stopped and closed at the end."""
    store = await Store.open(settings.database)
    try:
        kwargs = {"clock": clock} if clock is not None else {}
        channel = await open_channel(settings, content, store, sweep=sweep, **kwargs,
                                     **options)
        try:
            await channel.start()
            yield channel
        finally:
            await channel.stop()
            await channel.client.close()
    finally:
        await store.close()


@asynccontextmanager
async def matrix_user(synapse: Synapse, name: str, directory: Path,
                      account: Account | None = None) -> AsyncIterator[MatrixUser]:
    """A new account on the test Synapse (or `account`), playing a person, started and
    closed at the end."""
    user = MatrixUser(synapse, account or synapse.register(name), directory / f"{name}-store")
    await user.start()
    try:
        yield user
    finally:
        await user.close()



def name(prefix: str) -> str:
    """A fresh account name (one Synapse serves the whole test session)."""
    return f"{prefix}_{secrets.token_hex(3)}"


def said(answers: list[Received]) -> str:
    """The answers' texts, with French spaces made plain."""
    text = "\n".join(a.body for a in answers)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@dataclass
class Talk:
    """The assistant on a fresh account, a person, and their direct room."""

    channel: MatrixChannel
    user: MatrixUser
    room: str
    bot: Account
    database: Path

    async def ask(self, text: str, **extra: Any) -> list[Received]:
        return await self.user.ask(self.room, text, **extra)


@asynccontextmanager
async def talk(synapse: Synapse, content: Content, directory: Path, person: str, *,
               encrypted: bool = True, clock: Any = None, sweep: SweepConfig | None = None,
               admin: bool = False) -> AsyncIterator[Talk]:
    """A new bot account served by the channel, a new person (one of its administrators if
    `admin`) in a direct room with it."""
    bot, account = synapse.register(name("bot")), synapse.register(name(person))
    database = directory / "bot.sqlite3"
    env = {"MATRIX_ADMIN_IDS": account.user_id} if admin else {}
    settings = matrix_settings(synapse, bot, database, **env)
    async with running_channel(settings, content, clock=clock, sweep=sweep) as channel, \
            matrix_user(synapse, person, directory, account) as user:
        room = await user.direct_room(bot.user_id, encrypted=encrypted)
        yield Talk(channel, user, room, bot, database)
