"""Rendering the engine's replies in Telegram: HTML parts, inline keyboards, edits, files."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.channels.telegram.text import MAX_TEXT, split_html, utf16_len
from bot.core.callbacks import checked
from bot.core.formatting import plain
from bot.core.replies import Button, Outgoing
from bot.storage.store import Store

logger = logging.getLogger(__name__)
MAX_CAPTION = 1024
TYPING_DELAY = 0.8  # seconds: a quick answer needs no typing indicator
TYPING_REPEAT = 4.5  # Telegram shows an action for about 5 seconds
NOT_MODIFIED = "message is not modified"
CANT_PARSE = "can't parse entities"


class Chats:
    """Chats that blocked the bot (403): not sent to again until they write again."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime]) -> None:
        self.store = store
        self.clock = clock
        self.inactive: set[int] = set()

    async def load(self) -> None:
        """Read the inactive chats from the database (at start-up)."""
        self.inactive = await self.store.inactive_chats()

    def active(self, chat_id: int) -> bool:
        return chat_id not in self.inactive

    async def blocked(self, chat_id: int, reason: str) -> None:
        """The chat refused a message: stop sending to it."""
        if chat_id not in self.inactive:
            self.inactive.add(chat_id)
            await self.store.set_chat_active(chat_id, False, self.clock(), reason)
            logger.info("Chat %s inactif (%s) : plus d'envoi tant qu'il n'écrit pas", chat_id,
                        reason)

    async def wrote(self, chat_id: int) -> None:
        """The chat wrote (or pressed a button): it may be sent to again."""
        if chat_id in self.inactive:
            self.inactive.discard(chat_id)
            await self.store.set_chat_active(chat_id, True, self.clock())
            logger.info("Chat %s de nouveau actif", chat_id)


@dataclass(frozen=True, slots=True)
class Target:
    """Where one update's replies go: the chat, the member's message they answer (groups),
    and the bot message whose button was pressed (it may be edited in place)."""

    chat_id: int
    reply_to: int | None = None
    pressed: int | None = None
    user_id: int | None = None  # the member, for replies meant for them alone


async def _deliver_private(bot: Bot, chats: Chats, target: Target, reply: Outgoing) -> None:
    """A reply for the member alone, in their private chat (never in the group)."""
    if target.user_id is None:
        logger.warning("Réponse privée sans destinataire ignorée (chat %s)", target.chat_id)
        return
    await deliver(bot, chats, Target(target.user_id), [replace(reply, private=False)])


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Button rows as an inline keyboard; a payload over 64 bytes raises PayloadTooLong."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=checked(b.payload)) for b in row]
         for row in rows if row])


async def deliver(bot: Bot, chats: Chats, target: Target, replies: list[Outgoing]) -> None:
    """Show the replies: the first one marked `replace` edits the pressed message, the others
    are new messages (in groups, replies to the member's message). A 403 stops it quietly."""
    pressed = target.pressed
    try:
        for reply in replies:
            if reply.private and target.user_id != target.chat_id:
                await _deliver_private(bot, chats, target, reply)
                continue
            if not chats.active(target.chat_id):
                return
            if reply.file is not None:
                await _send_file(bot, target, reply)
                continue
            parts = split_html(reply.text, MAX_TEXT)
            if not parts:
                logger.warning("Réponse vide ignorée (chat %s)", target.chat_id)
                continue
            markup = keyboard(reply.buttons)
            for index, part in enumerate(parts):
                part_markup = markup if index == len(parts) - 1 else None
                if reply.replace and pressed is not None and index == 0:
                    edited = await _edit(bot, target.chat_id, pressed, part, part_markup)
                    pressed = None
                    if edited:
                        continue
                await _send(bot, target, part, part_markup)
    except Forbidden as exc:
        await chats.blocked(target.chat_id, exc.message)
    except ChatMigrated as exc:
        logger.warning("Le groupe %s est devenu le supergroupe %s : réponse perdue",
                       target.chat_id, exc.new_chat_id)


def _reply_parameters(target: Target) -> ReplyParameters | None:
    if target.reply_to is None:
        return None
    return ReplyParameters(message_id=target.reply_to, allow_sending_without_reply=True)


async def _send(bot: Bot, target: Target, text: str,
                markup: InlineKeyboardMarkup | None) -> None:
    try:
        await bot.send_message(target.chat_id, text, reply_markup=markup,
                               reply_parameters=_reply_parameters(target))
    except BadRequest as exc:
        if CANT_PARSE not in exc.message:
            raise
        logger.error("HTML refusé par Telegram (%s) : envoi en texte brut", exc.message)
        await bot.send_message(target.chat_id, plain(text), parse_mode=None,
                               reply_markup=markup, reply_parameters=_reply_parameters(target))


async def _edit(bot: Bot, chat_id: int, message_id: int, text: str,
                markup: InlineKeyboardMarkup | None) -> bool:
    """Edit a bot message in place; False when it cannot be edited (send a new one)."""
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                    reply_markup=markup)
    except BadRequest as exc:
        if NOT_MODIFIED in exc.message.lower():
            return True  # a double press: the screen is already right
        logger.info("Message %s non modifiable (%s) : nouveau message", message_id, exc.message)
        return False
    return True


async def _send_file(bot: Bot, target: Target, reply: Outgoing) -> None:
    """A document or photo, with the text as caption when it fits (else sent before it)."""
    attachment = reply.file
    assert attachment is not None
    photo = attachment.kind == "photo"
    await bot.send_chat_action(target.chat_id,
                               ChatAction.UPLOAD_PHOTO if photo else ChatAction.UPLOAD_DOCUMENT)
    caption: str | None = reply.text if reply.text.strip() else None
    if caption is not None and utf16_len(caption) > MAX_CAPTION:
        for part in split_html(caption, MAX_TEXT):
            await _send(bot, target, part, None)
        caption = None
    upload = InputFile(attachment.data, filename=attachment.filename)
    markup = keyboard(reply.buttons)
    if photo:
        await bot.send_photo(target.chat_id, upload, caption=caption, reply_markup=markup,
                             reply_parameters=_reply_parameters(target))
    else:
        await bot.send_document(target.chat_id, upload, caption=caption, reply_markup=markup,
                                reply_parameters=_reply_parameters(target))


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int, delay: float = TYPING_DELAY) -> AsyncIterator[None]:
    """Show "typing…" while a slow answer (a document, say) is being prepared; a quick
    answer costs only a timer."""

    async def keep_typing() -> None:
        while True:
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_REPEAT)

    tasks: list[asyncio.Task[None]] = []
    loop = asyncio.get_running_loop()
    timer = loop.call_later(delay, lambda: tasks.append(
        loop.create_task(keep_typing(), name=f"typing-{chat_id}")))
    try:
        yield
    finally:
        timer.cancel()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
