"""A running bot for end-to-end reminder tests: the engine behind a PTB Application, polling
the local Bot API emulator, with the reminder sweep started and stopped around it.

TEMPORARY STAND-IN: `minimal_application` forwards updates to the engine with the fewest
lines possible, because bot/channels/telegram/channel.py (`build_application`) was not
committed when these tests were written. Replace it with `build_application(...)` once it
is, keeping the calls to `start_reminders` / `service.stop()` / `service.user_wrote()` where
the README says.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, Defaults, MessageHandler
from telegram.ext import filters as tg_filters

from bot.app import build_assistant
from bot.assistant import Assistant
from bot.channels.telegram.sweeps import ReminderService, start_reminders
from bot.content.loader import Content
from bot.core.replies import Conversation, Incoming, Outgoing
from bot.delivery.sweep import SweepConfig
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator
from tests.support.reminders import FakeClock

IDLE = SweepConfig().interval


class SweepSleep:
    """The sweep's sleep: rate-limit waits move the fake clock; the wait between two sweeps
    lasts until the test calls `sweep()` (no real time passes)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sweeps = 0          # sweeps finished (the sweeper went idle after them)
        self.idle = False
        self._wake = asyncio.Event()
        self._swept = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        if seconds < IDLE:
            self.clock.advance(seconds)
            await asyncio.sleep(0)
            return
        self.sweeps += 1
        self.idle = True
        self._swept.set()
        await self._wake.wait()
        self._wake.clear()
        self.idle = False

    async def sweep(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Let the sweeper run one whole sweep at the clock's current time."""
        target = self.sweeps + (1 if self.idle else 2)
        self._wake.set()
        async with asyncio.timeout(timeout):
            while self.sweeps < target:
                self._swept.clear()
                await self._swept.wait()


def _markup(reply: Outgoing) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.payload)
                                  for b in row] for row in reply.buttons])


def minimal_application(emu: BotApiEmulator, assistant: Assistant,
                        service: dict[str, ReminderService]) -> Application[Any, Any, Any, Any,
                                                                              Any, Any]:
    """TEMPORARY stand-in for channel.build_application (see the module's docstring)."""
    app = emu.application_builder().defaults(Defaults(parse_mode=ParseMode.HTML)).build()

    async def render(context: ContextTypes.DEFAULT_TYPE, chat_id: int,
                     replies: list[Outgoing]) -> None:
        for reply in replies:
            if reply.file is not None:
                await context.bot.send_document(
                    chat_id, InputFile(reply.file.data, filename=reply.file.filename),
                    caption=reply.text, reply_markup=_markup(reply))
            else:
                await context.bot.send_message(chat_id, reply.text, reply_markup=_markup(reply))

    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat and update.effective_user and update.message
        chat = update.effective_chat.id
        await service["reminders"].user_wrote(chat)
        replies = await assistant.handle(Conversation(chat, update.effective_user.id),
                                         Incoming.text(update.message.text or ""))
        await render(context, chat, replies)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        chat = query.message.chat.id
        replies = await assistant.handle(Conversation(chat, query.from_user.id),
                                         Incoming.button(query.data or ""))
        await render(context, chat, replies)

    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(tg_filters.TEXT, on_text))
    return app


@dataclass
class RunningBot:
    """What a test may look at while the bot runs."""

    app: Application[Any, Any, Any, Any, Any, Any]
    service: ReminderService
    store: Store


@asynccontextmanager
async def running_bot(emu: BotApiEmulator, content: Content, database: str | Path,
                      clock: FakeClock, sleep: SweepSleep,
                      now: dt.datetime | None = None) -> AsyncIterator[RunningBot]:
    """Start the bot (engine, polling, sweep) and stop it in order at the end."""
    store = await Store.open(database)
    assistant = build_assistant(content, store, clock=clock)
    holder: dict[str, ReminderService] = {}
    app = minimal_application(emu, assistant, holder)
    await app.initialize()
    service = await start_reminders(app, database, clock=clock, sleep=sleep)    # post_init
    holder["reminders"] = service
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    try:
        yield RunningBot(app=app, service=service, store=store)
    finally:
        await app.updater.stop()
        await app.stop()
        await service.stop()                                                   # post_shutdown
        await app.shutdown()
        await store.close()
