"""In-memory world of the emulator: users, chats, messages, files, updates."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .faults import FloodControl

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class User:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> JsonDict:
        """Return the Bot API User object."""
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass(eq=False)
class Chat:
    """A chat and everything that was said in it."""

    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    user: User | None = None  # the other party of a private chat
    members: list[User] = field(default_factory=list)
    messages: dict[int, JsonDict] = field(default_factory=dict)  # visible, by message_id
    deleted: dict[int, JsonDict] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)  # sendChatAction history
    reply_keyboard: JsonDict | None = None  # last ReplyKeyboardMarkup shown to people
    started: bool = False  # a private chat exists for the bot once the user wrote
    blocked: bool = False
    last_message_id: int = 0

    def to_api(self) -> JsonDict:
        """Return the Bot API Chat object."""
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.user is not None:
            data.update({k: v for k, v in self.user.to_api().items() if k != "is_bot"})
            data.pop("language_code", None)
            data["id"] = self.id
        if self.title is not None:
            data["title"] = self.title
        return data

    def new_message_id(self) -> int:
        """Allocate the next message id of this chat (ids are per chat, from 1)."""
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class StoredFile:
    """A file known to the emulator, uploaded by the bot or by a person."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes = field(repr=False)
    kind: str  # "document" or "photo"
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    def to_api(self) -> JsonDict:
        """Return the Document or PhotoSize object describing this file."""
        data: JsonDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.kind == "photo":
            data.update(width=self.width, height=self.height)
        else:
            if self.file_name is not None:
                data["file_name"] = self.file_name
            if self.mime_type is not None:
                data["mime_type"] = self.mime_type
        return data


@dataclass
class Webhook:
    """The webhook set with setWebhook."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class CallbackAnswer:
    """An answerCallbackQuery received from the bot."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    at: float  # time.monotonic()


class Changes:
    """Broadcast 'something changed' to waiters (long polls and test waiters)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake every current waiter."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], within: float) -> bool:
        """Wait until `predicate()` is true; return False after `within` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            event = self._event
            if predicate():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


class UpdateQueue:
    """Updates waiting to be fetched by getUpdates or delivered to the webhook."""

    def __init__(self, changes: Changes, first_id: int = 1) -> None:
        self.pending: list[JsonDict] = []
        self.delivered: list[JsonDict] = []  # confirmed by offset or acknowledged by webhook
        self.allowed: set[str] | None = None  # allowed_updates, None for all
        self.poll_generation = 0  # bumped by each getUpdates, to terminate older ones
        self._ids = itertools.count(first_id)
        self._changes = changes

    def push(self, kind: str, payload: JsonDict) -> JsonDict | None:
        """Queue an update of `kind` (e.g. "message"); None if allowed_updates filters it."""
        if self.allowed and kind not in self.allowed:
            return None
        update = {"update_id": next(self._ids), kind: payload}
        self.pending.append(update)
        self._changes.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates with update_id < offset (getUpdates' `offset`)."""
        if offset < 0:  # negative offsets keep only the last -offset updates
            keep = self.pending[offset:]
            self.delivered.extend(u for u in self.pending if u not in keep)
            self.pending = keep
            return
        self.delivered.extend(u for u in self.pending if u["update_id"] < offset)
        self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def drop(self) -> None:
        """Drop every pending update (drop_pending_updates)."""
        self.pending.clear()
        self._changes.notify()


def chat_instance(bot_id: int, chat_id: int) -> str:
    """A stable, opaque, signed 64-bit identifier per (bot, chat), like Telegram's."""
    digest = hashlib.sha256(f"{bot_id}:{chat_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big", signed=True))


class BotState:
    """Everything the Bot API knows about one bot."""

    def __init__(self, token: str, bot: User, privacy_mode: bool) -> None:
        self.token = token
        self.bot = bot
        self.privacy_mode = privacy_mode
        self.changes = Changes()
        self.updates = UpdateQueue(self.changes)
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.webhook: Webhook | None = None
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.open_queries: dict[str, JsonDict] = {}  # callback queries not answered yet
        self.callback_answers: list[CallbackAnswer] = []
        self.flood: FloodControl | None = None  # Telegram-like 429s, off by default
        self.closed = False
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)

    def now(self) -> int:
        """Unix time in seconds, as in Message.date."""
        return int(time.time())

    def chat(self, chat_id: int | str) -> Chat | None:
        """Find a chat by id or by @username of the private chat's user."""
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@")
            return next(
                (c for c in self.chats.values() if c.user and c.user.username == name), None
            )
        return self.chats.get(chat_id)

    def add_message(self, chat: Chat, message: JsonDict) -> JsonDict:
        """Store a message and return a copy safe to hand out."""
        chat.messages[message["message_id"]] = message
        self.changes.notify()
        return copy.deepcopy(message)

    def store_file(
        self, data: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Keep uploaded bytes; file_unique_id depends on the content only."""
        number = next(self._file_ids)
        unique = "AgAD" + hashlib.sha256(data).hexdigest()[:16]
        prefix = "AgACAgQ" if kind == "photo" else "BQACAgQ"
        suffix = (file_name or "").rsplit(".", 1)[-1] if file_name and "." in file_name else ""
        folder = "photos" if kind == "photo" else "documents"
        path = f"{folder}/file_{number}" + (f".{suffix}" if suffix else "")
        stored = StoredFile(
            file_id=f"{prefix}{number:06d}{unique[4:]}",
            file_unique_id=unique,
            file_path=path,
            data=data,
            kind=kind,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def new_query_id(self) -> str:
        """A fresh callback query id (opaque numeric string, like Telegram's)."""
        return str(4_000_000_000_000_000_000 + next(self._query_ids))
