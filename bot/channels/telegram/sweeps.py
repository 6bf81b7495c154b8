"""Reminders over Telegram: the sweep's send function, and the sweep's life in the Application.

`make_send(bot)` sends one reminder (HTML) and translates Telegram's errors into the sweep's
(bot/delivery/errors.py). The sweep has its own rate limiter (bot/delivery/ratelimit.py),
so these sends go through a plain `telegram.Bot` without PTB's AIORateLimiter: no second
throttle, no hidden retry that could send a reminder twice.

`start_reminders(application, database)` (call it from post_init) opens the sweep's own
SQLite connection (the engine's one commits after each of its operations, and could commit a
half-done sweep transaction) and runs `Sweeper.run_forever()` as a task; `service.stop()`
(from post_shutdown) lets the sends in flight finish and be marked, then closes everything.
`service.user_wrote(chat_id)` (from the message handler) resumes the reminders of a chat that
had blocked the bot and writes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.broadcast.store import BroadcastStore, compose
from bot.channels.telegram.limits import Turn
from bot.core.chat_ids import is_telegram
from bot.core.clock import Clock, utc_now
from bot.delivery.errors import Blocked, MaybeSent, Rejected, RetryLater, Send, Transient
from bot.delivery.ratelimit import Limits, RateLimiter, slots
from bot.delivery.scope import Scoped
from bot.delivery.sweep import Sleep, SweepConfig, Sweeper
from bot.reminders.delivery import compose as reminder_text_now
from bot.reminders.store import ReminderStore
from bot.storage.database import Database
from bot.storage.leader import Leadership
from bot.storage.store import Store

log = logging.getLogger(__name__)
GONE = ("chat not found", "user is deactivated", "bot was kicked", "bot was blocked",
        "have no rights to send", "not enough rights")


def retry_seconds(value: float | dt.timedelta) -> float:
    """RetryAfter.retry_after as seconds (PTB 22 gives an int, or a timedelta)."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# Timeouts after the request left: Telegram may have delivered the message (a connect or
# pool timeout means it never left, and is retried).
SENT_TIMEOUTS = (httpx.ReadTimeout, httpx.WriteTimeout)


def translate(error: TelegramError) -> Exception:
    """The sweep's exception for a Telegram error."""
    if isinstance(error, Forbidden):
        return Blocked(error.message)
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22.2+ warns about the int form
            warnings.simplefilter("ignore")
            return RetryLater(retry_seconds(error.retry_after), error.message)
    if isinstance(error, BadRequest):  # before NetworkError: BadRequest is one
        if any(reason in error.message.lower() for reason in GONE):
            return Blocked(error.message)
        return Rejected(error.message)
    if isinstance(error, ChatMigrated):
        return Blocked(f"groupe devenu supergroupe {error.new_chat_id}")
    if isinstance(error, TimedOut) and isinstance(error.__cause__, SENT_TIMEOUTS):
        return MaybeSent(error.message)
    if isinstance(error, TimedOut | NetworkError):
        return Transient(error.message)
    return Transient(str(error))


def shared_turn(db: Database, limits: Limits) -> Turn:
    """Wait for a message's turn in the limits all replicas share (bot/storage: a table of
    next turns on PostgreSQL; nothing to wait for on SQLite, one process)."""

    async def turn(chat_id: int) -> None:
        wait = await db.reserve(slots(chat_id, limits))
        if wait > 0:
            await asyncio.sleep(wait)

    return turn


def make_send(bot: Bot, turn: Turn | None = None) -> Send:
    """send(chat_id, html_text) for the sweep, through `bot` (give one without rate limiter),
    each message after its `turn` in the limits shared by replicas."""

    async def send(chat_id: int, text: str) -> None:
        if turn is not None:
            await turn(chat_id)
        try:
            await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                   link_preview_options=LinkPreviewOptions(is_disabled=True))
        except TelegramError as error:
            raise translate(error) from error

    return send


def plain_bot(bot: Bot, *, connections: int = 16) -> Bot:
    """A Bot on the same token and server as `bot`, without rate limiter nor its request pool."""
    return sweep_bot(bot.token, bot.base_url.removesuffix(bot.token),
                     bot.base_file_url.removesuffix(bot.token), connections=connections)


def sweep_bot(token: str, base_url: str, base_file_url: str | None = None, *,
              connections: int = 16) -> Bot:
    """A Bot for background sends: its own pool, and a patient read timeout (a send that gets
    no answer is never sent again, so a busy server must not be taken for a lost message)."""
    request = HTTPXRequest(connection_pool_size=connections, read_timeout=20.0)
    return Bot(token, base_url=base_url, base_file_url=base_file_url or base_url,
               request=request)


@dataclass(slots=True)
class SweepService:
    """A running sweep: its task, its own connection, its own bot."""

    sweeper: Sweeper
    task: asyncio.Task[None]
    store: Store
    bot: Bot
    leader: Leadership | None = None   # its own to close (the reminders' one)

    async def stop(self) -> None:
        """Stop sweeping (sends in flight finish and are marked), close the bot and database;
        then give the leadership up (another replica takes over at once)."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
        with contextlib.suppress(TelegramError, RuntimeError):
            await self.bot.shutdown()
        await self.store.close()
        if self.leader is not None:
            await self.leader.close()


@dataclass(slots=True)
class ReminderService(SweepService):
    """The running reminder sweep; it also resumes a chat's reminders when the chat writes."""

    clock: Clock = utc_now

    @property
    def reminders(self) -> ReminderStore:
        return self.sweeper.store.queue  # type: ignore[no-any-return]

    async def user_wrote(self, chat_id: int) -> bool:
        """A message came from this chat: if reminders were suspended (403), resume them."""
        if not await self.reminders.is_blocked(chat_id):
            return False
        count = await self.reminders.unblock_chat(chat_id, self.clock())
        log.info("chat %s de retour : %s rappel(s) repris", chat_id, count)
        return True


async def _open(application: Any, database_path: str | Path,
                bot: Bot | None) -> tuple[Store, Bot]:
    """A sweep's own connection (WAL, busy_timeout; migrations are idempotent) and own Bot."""
    store = await Store.open(database_path)
    sender = bot or plain_bot(application.bot)
    try:
        await sender.initialize()
    except BaseException:
        await store.close()
        raise
    return store, sender


async def start_reminders(application: Any, database_path: str | Path, *,
                          clock: Clock = utc_now, sleep: Sleep = asyncio.sleep,
                          config: SweepConfig | None = None, limits: Limits | None = None,
                          bot: Bot | None = None) -> ReminderService:
    """Open the sweep's own connection (WAL, busy_timeout) and start sweeping in a task,
    whenever this process leads the sweeps (several replicas on PostgreSQL: one at a time)."""
    store, sender = await _open(application, database_path, bot)
    leader = store.db.leadership()
    await leader.start()
    send = make_send(sender, shared_turn(store.db, SEND_LIMITS))
    sweeper = Sweeper(Scoped(ReminderStore(store.db), is_telegram), send, clock=clock,
                      sleep=sleep, config=config, limits=limits, compose=reminder_text_now,
                      leader=leader)
    task = asyncio.create_task(sweeper.run_forever(), name="rappels")
    return ReminderService(sweeper=sweeper, task=task, store=store, bot=sender, clock=clock,
                           leader=leader)


# --- announcements (/diffuser): the same sweep over bot/broadcast/store.py's rows ----------------

BROADCAST_SWEEP = SweepConfig(interval=2.0)
# The limits the Telegram channel sends under (reminders and announcements share them): a
# sweep counts a message when it leaves, Telegram when it arrives, and the time between varies
# by tens of milliseconds; a 5 % longer window keeps arrivals under 30 a second (measured with
# bench/broadcast.py: 33 answers 429 out of 5 000 with a 1 s window).
SEND_LIMITS = Limits(overall_window=1.05)
# Sends of a previous process in its last second still count at Telegram, and a new limiter
# knows nothing of them: the first sweep waits that long.
START_GRACE = 1.0


async def sweep_after_grace(sweeper: Sweeper, grace: float = START_GRACE) -> None:
    """`sweeper.run_forever()`, after `grace` seconds."""
    await sweeper.sleep(grace)
    await sweeper.run_forever()


@dataclass(slots=True)
class BroadcastService(SweepService):
    """The running sweep of announcements."""


async def start_broadcasts(application: Any, database_path: str | Path, *,
                           clock: Clock = utc_now, sleep: Sleep = asyncio.sleep,
                           config: SweepConfig | None = None,
                           limiter: RateLimiter | None = None,
                           leader: Leadership | None = None,
                           bot: Bot | None = None) -> BroadcastService:
    """Sweep the announcements' deliveries in a task, on their own connection and Bot.

    Give it the reminder sweep's `limiter` and `leader`: both then stay together under
    Telegram's overall limit (30 messages/s), as one sender, in one replica at a time.
    """
    store, sender = await _open(application, database_path, bot)
    sweeper = Sweeper(Scoped(BroadcastStore(store.db), is_telegram),
                      make_send(sender, shared_turn(store.db, SEND_LIMITS)), clock=clock,
                      sleep=sleep,
                      config=config or BROADCAST_SWEEP, limits=SEND_LIMITS, limiter=limiter,
                      compose=compose, leader=leader)
    task = asyncio.create_task(sweep_after_grace(sweeper), name="annonces")
    return BroadcastService(sweeper=sweeper, task=task, store=store, bot=sender)
