"""BotApiEmulator: lifecycle, and the person-side API tests use to talk to the bot."""

from __future__ import annotations

import asyncio
import copy
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from telegram import Bot
from telegram.ext import ApplicationBuilder

from .entities import bot_commands
from .faults import Fault, FaultPlan, FloodControl, FloodLimits
from .methods import scope_key, webhook_info
from .server import ApiCall, ApiServer
from .state import BotState, CallbackAnswer, Chat, JsonDict, StoredFile, User, chat_instance

DEFAULT_TOKEN = "123456789:AAE-emulated_token_0123456789abcdefgh"
MESSAGE_METHODS = ("sendMessage", "sendDocument", "sendPhoto")
Button = tuple[str, str | None]  # (text, callback_data); callback_data None for other buttons


@dataclass
class ViewMessage:
    """A message as people see it in the chat: edits applied, deleted ones gone."""

    message_id: int
    from_bot: bool
    sender_id: int
    text: str | None  # the text, or the caption of a document/photo
    entities: list[JsonDict]
    buttons: list[list[Button]]
    document: StoredFile | None
    photo: StoredFile | None
    reply_to: int | None
    edited: bool
    raw: JsonDict

    @property
    def button_data(self) -> list[str]:
        """Every callback_data of the inline keyboard, row by row."""
        return [data for row in self.buttons for _, data in row if data is not None]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (for webhook servers in tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class BotApiEmulator:
    """A local Telegram Bot API for one bot, plus helpers acting as Telegram users."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "emulated_bot",
        bot_name: str = "Emulated Bot",
        privacy_mode: bool = True,
    ) -> None:
        bot = User(int(token.split(":", 1)[0]), bot_name, username=bot_username, is_bot=True)
        self.state = BotState(token, bot, privacy_mode)
        self.faults = FaultPlan()
        self.server = ApiServer(self.state, self.faults)
        self.url = ""

    # --- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Start serving on 127.0.0.1 and a free port."""
        self.url = await self.server.start()

    async def close(self) -> None:
        """Release long polls and held requests, stop the server."""
        self.state.closed = True
        self.state.changes.notify()
        await self.server.close()

    @property
    def token(self) -> str:
        """The bot token the emulator accepts."""
        return self.state.token

    @property
    def bot_user(self) -> User:
        """The bot's own User."""
        return self.state.bot

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder.base_url / Bot(base_url=...)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder.base_file_url / Bot(base_file_url=...)."""
        return f"{self.url}/file/bot"

    def make_bot(self, **kwargs: Any) -> Bot:
        """A telegram.Bot pointed at the emulator (call `async with` or initialize())."""
        return Bot(self.token, base_url=self.base_url, base_file_url=self.base_file_url, **kwargs)

    def application_builder(self) -> ApplicationBuilder:
        """An ApplicationBuilder with token, base_url and base_file_url already set."""
        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # --- people and chats -----------------------------------------------------------------

    def user(
        self,
        id: int,
        first_name: str = "User",
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> User:
        """A person; pass it to private_chat/group_chat and to send_text/press."""
        if id <= 0:
            raise ValueError("user ids are positive")
        return User(id, first_name, username, last_name, language_code)

    def private_chat(self, user: User, *, started: bool = False) -> Chat:
        """The private chat of `user` with the bot (the bot may write once the user did)."""
        chat = self.state.chats.get(user.id)
        if chat is None:
            chat = Chat(user.id, "private", user=user, members=[user])
            self.state.chats[user.id] = chat
        chat.started = chat.started or started
        return chat

    def group_chat(
        self,
        id: int,
        title: str,
        members: Iterable[User] = (),
        *,
        supergroup: bool = False,
    ) -> Chat:
        """A group (negative id; supergroups are usually -100...) the bot is a member of."""
        if id >= 0:
            raise ValueError("group chat ids are negative")
        chat = self.state.chats.get(id)
        if chat is None:
            chat = Chat(id, "supergroup" if supergroup else "group", title=title, started=True)
            self.state.chats[id] = chat
        chat.members.extend(m for m in members if m not in chat.members)
        return chat

    def block_chat(self, chat: Chat | int) -> None:
        """From now on every send to this chat answers 403 (blocked / kicked)."""
        self._chat(chat).blocked = True

    def unblock_chat(self, chat: Chat | int) -> None:
        """Undo block_chat."""
        self._chat(chat).blocked = False

    def _chat(self, chat: Chat | int) -> Chat:
        chat_id = chat.id if isinstance(chat, Chat) else chat
        if chat_id not in self.state.chats:
            raise LookupError(f"unknown chat {chat_id}")
        return self.state.chats[chat_id]

    # --- what people do -------------------------------------------------------------------

    async def send_text(
        self, chat: Chat, user: User, text: str, *, reply_to: int | JsonDict | None = None
    ) -> JsonDict:
        """`user` writes `text` in `chat`; commands get bot_command entities. Returns it."""
        message = self._person_message(chat, user, reply_to)
        message["text"] = text
        entities = bot_commands(text)
        if entities:
            message["entities"] = entities
        return await self._deliver_message(chat, message, text)

    async def send_document(
        self,
        chat: Chat,
        user: User,
        data: bytes,
        filename: str,
        *,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> JsonDict:
        """`user` sends a file to the bot; the bot can getFile and download it."""
        stored = self.state.store_file(data, "document", filename, mime_type)
        message = self._person_message(chat, user, None)
        message["document"] = stored.to_api()
        if caption:
            message["caption"] = caption
        return await self._deliver_message(chat, message, caption or "")

    async def press(self, chat: Chat, user: User, message_id: int, button: str) -> JsonDict:
        """`user` presses the inline button whose text (or callback_data) is `button`."""
        message = chat.messages.get(message_id)
        if message is None:
            raise LookupError(f"message {message_id} is not visible in chat {chat.id}")
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [button for row in rows for button in row]
        found = next((b for b in buttons if b["text"] == button), None) or next(
            (b for b in buttons if b.get("callback_data") == button), None
        )
        if found is None:
            labels = [b["text"] for b in buttons]
            raise LookupError(f"no button {button!r} on message {message_id}; buttons: {labels}")
        if "callback_data" not in found:
            raise ValueError(f"button {button!r} is not a callback button: {found}")
        query: JsonDict = {
            "id": self.state.new_query_id(),
            "from": user.to_api(),
            "message": copy.deepcopy(message),
            "chat_instance": chat_instance(self.state.bot.id, chat.id),
            "data": found["callback_data"],
        }
        self.state.open_queries[query["id"]] = query
        self.state.updates.push("callback_query", copy.deepcopy(query))
        await asyncio.sleep(0)
        return query

    def _person_message(self, chat: Chat, user: User, reply_to: int | JsonDict | None) -> JsonDict:
        if chat.type == "private" and chat.user != user:
            raise ValueError(f"{user.first_name} is not the user of private chat {chat.id}")
        if chat.type != "private" and user not in chat.members:
            chat.members.append(user)
        message: JsonDict = {
            "message_id": chat.new_message_id(),
            "from": user.to_api(),
            "chat": chat.to_api(),
            "date": self.state.now(),
        }
        if reply_to is not None:
            target_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
            target = chat.messages.get(target_id)
            if target is None:
                raise LookupError(f"message {target_id} is not visible in chat {chat.id}")
            quoted = copy.deepcopy(target)
            quoted.pop("reply_to_message", None)
            message["reply_to_message"] = quoted
        return message

    async def _deliver_message(self, chat: Chat, message: JsonDict, text: str) -> JsonDict:
        chat.started = True
        stored = self.state.add_message(chat, message)
        if self._bot_sees(chat, message, text):
            self.state.updates.push("message", copy.deepcopy(message))
        await asyncio.sleep(0)
        return stored

    def _bot_sees(self, chat: Chat, message: JsonDict, text: str) -> bool:
        """Privacy mode: in groups the bot gets commands for it and replies to it only."""
        if chat.type == "private" or not self.state.privacy_mode:
            return True
        replied = message.get("reply_to_message", {}).get("from", {})
        if replied.get("id") == self.state.bot.id:
            return True
        command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
        mention = command.partition("@")[2]
        return bool(command) and (not mention or mention.lower() == self.bot_user.username.lower())

    # --- what people see ------------------------------------------------------------------

    def messages(self, chat: Chat) -> list[ViewMessage]:
        """The chat as people see it, oldest first."""
        return [self._view(m) for _, m in sorted(chat.messages.items())]

    chat_view = messages

    def bot_messages(self, chat: Chat) -> list[ViewMessage]:
        """Visible messages sent by the bot, oldest first."""
        return [m for m in self.messages(chat) if m.from_bot]

    def last_bot_message(self, chat: Chat) -> ViewMessage:
        """The latest visible bot message (AssertionError if none)."""
        sent = self.bot_messages(chat)
        assert sent, f"the bot sent nothing visible in chat {chat.id}"
        return sent[-1]

    def file(self, file_id: str) -> StoredFile:
        """A stored file (its bytes in .data)."""
        return self.state.files[file_id]

    def _view(self, message: JsonDict) -> ViewMessage:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        photo = message.get("photo")
        document = message.get("document")
        return ViewMessage(
            message_id=message["message_id"],
            from_bot=message["from"]["id"] == self.state.bot.id,
            sender_id=message["from"]["id"],
            text=message.get("text", message.get("caption")),
            entities=message.get("entities", message.get("caption_entities", [])),
            buttons=[[(b["text"], b.get("callback_data")) for b in row] for row in rows],
            document=self.state.files[document["file_id"]] if document else None,
            photo=self.state.files[photo[-1]["file_id"]] if photo else None,
            reply_to=message.get("reply_to_message", {}).get("message_id"),
            edited="edit_date" in message,
            raw=copy.deepcopy(message),
        )

    def chat_actions(self, chat: Chat) -> list[str]:
        """sendChatAction actions received for this chat, in order."""
        return list(chat.actions)

    def commands(self, scope: JsonDict | None = None, language_code: str = "") -> list[JsonDict]:
        """The command list set with setMyCommands for this scope and language."""
        key = scope_key({"scope": scope, "language_code": language_code})
        return copy.deepcopy(self.state.commands.get(key, []))

    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API request received, in arrival order."""
        return self.server.calls

    def calls_to(self, method: str) -> list[ApiCall]:
        """Requests to one method (canonical name, e.g. "sendMessage")."""
        return [c for c in self.server.calls if c.method.lower() == method.lower()]

    @property
    def unsupported_calls(self) -> list[str]:
        """Method names the bot called that the emulator does not implement (answered 404)."""
        return list(self.server.unsupported)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """answerCallbackQuery calls accepted, in order."""
        return self.state.callback_answers

    def answer_to(self, query: JsonDict | str) -> CallbackAnswer | None:
        """The answer given to a callback query (the dict press() returned, or its id)."""
        query_id = query if isinstance(query, str) else query["id"]
        return next(
            (a for a in self.state.callback_answers if a.callback_query_id == query_id), None
        )

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by the bot (getUpdates offset) or webhook."""
        return copy.deepcopy(self.state.updates.pending)

    def webhook_info(self) -> JsonDict:
        """What getWebhookInfo would answer now (url, pending_update_count, last_error_*)."""
        return webhook_info(self.state)

    # --- waiting --------------------------------------------------------------------------

    async def wait_until(
        self,
        predicate: Callable[[], object],
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain number reads best in tests
        what: str = "",
    ) -> None:
        """Wait until `predicate()` is truthy; re-checked after every API call or change."""
        if not await self.state.changes.wait_for(lambda: bool(predicate()), timeout):
            recent = ", ".join(f"{c.method}:{c.status}" for c in self.server.calls[-8:])
            raise TimeoutError(
                f"timed out after {timeout}s waiting for {what or predicate!r}; "
                f"last calls: [{recent}]"
            )

    async def wait_for_bot_messages(
        self,
        chat: Chat,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        after: int | None = None,
    ) -> list[ViewMessage]:
        """Wait for `count` visible bot messages after `after` (default: last person message)."""
        if after is None:
            people = [
                m["message_id"]
                for m in (*chat.messages.values(), *chat.deleted.values())
                if m["from"]["id"] != self.state.bot.id
            ]
            after = max(people, default=0)

        def fresh() -> list[ViewMessage]:
            return [m for m in self.bot_messages(chat) if m.message_id > after]

        await self.wait_until(
            lambda: len(fresh()) >= count, timeout, f"{count} bot message(s) in chat {chat.id}"
        )
        return fresh()

    async def wait_for_call(
        self,
        method: str,
        timeout: float = 5.0,  # noqa: ASYNC109
        where: Callable[[ApiCall], bool] | None = None,
    ) -> ApiCall:
        """Wait for an answered request to `method` (optionally matching `where`)."""

        def found() -> ApiCall | None:
            return next(
                (
                    c
                    for c in self.calls_to(method)
                    if c.status is not None and (where is None or where(c))
                ),
                None,
            )

        await self.wait_until(lambda: found() is not None, timeout, f"a {method} call")
        call = found()
        assert call is not None
        return call

    async def wait_for_answer(
        self,
        query: JsonDict | str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """Wait until the bot answered this callback query."""
        await self.wait_until(
            lambda: self.answer_to(query) is not None, timeout, "answerCallbackQuery"
        )
        answer = self.answer_to(query)
        assert answer is not None
        return answer

    async def wait_updates_consumed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed (or the webhook acknowledged) every update."""
        await self.wait_until(
            lambda: not self.state.updates.pending, timeout, "pending updates consumed"
        )

    # --- faults and rates -----------------------------------------------------------------

    def fail_next(
        self,
        method: str = "*",
        times: int = 1,
        kind: str = "429",
        *,
        retry_after: int = 1,
        hold: float = 10.0,
        applied: bool = False,
        description: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` ("*" = any) fail with `kind`."""
        # "429": RetryAfter(retry_after). "400"/"403"/"500"/"502": that HTTP error, with
        # `description` or the standard text. "timeout": held `hold` seconds, then 504.
        # "disconnect": the connection is closed without an answer. applied=True makes a
        # timeout/disconnect happen after the call took effect (the message was sent).
        fault = Fault(kind, retry_after, hold, applied, description)
        self.faults.add(method, fault, times)

    def set_flood_limits(self, limits: FloodLimits | None = None) -> None:
        """Answer 429 like Telegram past `limits` (default: 1/s a chat, 20/min a group, 30/s)."""
        self.state.flood = FloodControl(limits or FloodLimits())

    def disable_flood_limits(self) -> None:
        """Turn flood control off (the default)."""
        self.state.flood = None

    def send_times(
        self, chat: Chat | int | None = None, methods: Iterable[str] = MESSAGE_METHODS
    ) -> list[float]:
        """Arrival times (monotonic) of successful message sends, optionally to one chat."""
        chat_id = chat.id if isinstance(chat, Chat) else chat
        wanted = {m.lower() for m in methods}
        return [
            c.at
            for c in self.server.calls
            if c.ok
            and c.method.lower() in wanted
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def max_rate(
        self,
        chat: Chat | int | None = None,
        window: float = 1.0,
        methods: Iterable[str] = MESSAGE_METHODS,
    ) -> int:
        """Most successful sends seen within any `window` seconds."""
        times = self.send_times(chat, methods)
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best
