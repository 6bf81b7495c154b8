"""Reminders and announcements over Matrix: the generic sweep (bot/delivery/sweep.py) with a
Matrix send, over the Matrix rooms' rows only (bot/delivery/scope.py).

The sweep has its own SQLite connection (like Telegram's) and shares the channel's nio
client, so reminders are encrypted in encrypted rooms like any reply. Homeserver limits are
not Telegram's: Synapse's default is about 0.2 message per second and per account with
bursts of 10, raised for a bot by its operator (`override_ratelimit`); the sweep keeps one
message per second per room and obeys every M_LIMIT_EXCEEDED's retry_after_ms.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import nio

from bot.broadcast.store import BroadcastStore
from bot.broadcast.store import compose as announcement
from bot.channels.matrix.identities import Identities
from bot.channels.matrix.render import message
from bot.channels.matrix.send import send_content
from bot.core.chat_ids import is_matrix
from bot.core.clock import Clock, utc_now
from bot.core.replies import Outgoing
from bot.delivery.errors import Rejected, Send
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.delivery.scope import Scoped
from bot.delivery.sweep import SweepConfig, Sweeper
from bot.reminders.delivery import compose
from bot.reminders.store import ReminderStore
from bot.storage.store import Store

log = logging.getLogger(__name__)
MATRIX_LIMITS = Limits(overall=20, chat_interval=1.0, group=20)
BROADCAST_SWEEP = SweepConfig(interval=2.0)


def make_send(client: nio.AsyncClient, identities: Identities) -> Send:
    """send(chat_id, html_text) for the sweep: to the room behind the integer."""

    async def send(chat_id: int, text: str) -> None:
        room_id = await identities.matrix_id(chat_id)
        if room_id is None:
            raise Rejected(f"{chat_id} n'est pas un salon Matrix")
        await send_content(client, room_id, message(Outgoing(text=text)))

    return send


@dataclass(slots=True)
class Sweep:
    """A running sweep: its task and its own connection."""

    sweeper: Sweeper
    task: asyncio.Task[None]
    store: Store

    async def stop(self) -> None:
        """Stop sweeping (sends in flight finish and are marked), close the connection."""
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.store.close()


@dataclass(slots=True)
class ReminderSweep(Sweep):
    """The running reminder sweep; it also resumes a room's reminders when the room writes."""

    @property
    def reminders(self) -> ReminderStore:
        return self.sweeper.store.queue  # type: ignore[no-any-return]

    async def user_wrote(self, chat_id: int) -> None:
        """A room that was suspended writes again: its reminders resume."""
        if await self.reminders.is_blocked(chat_id):
            count = await self.reminders.unblock_chat(chat_id, self.sweeper.clock())
            log.info("salon %s de retour : %s rappel(s) repris", chat_id, count)


async def start_reminders(client: nio.AsyncClient, database: Path, *, clock: Clock = utc_now,
                          config: SweepConfig | None = None) -> ReminderSweep:
    """Open the sweep's own connection and sweep the Matrix rooms' reminders until `stop`."""
    store = await Store.open(database)
    sweeper = Sweeper(Scoped(ReminderStore(store.db), is_matrix),
                      make_send(client, Identities(store.db)), clock=clock, config=config,
                      limits=MATRIX_LIMITS, compose=compose)
    task = asyncio.create_task(sweeper.run_forever(), name="rappels matrix")
    return ReminderSweep(sweeper=sweeper, task=task, store=store)


async def start_broadcasts(client: nio.AsyncClient, database: Path, *, clock: Clock = utc_now,
                           config: SweepConfig | None = None,
                           limiter: RateLimiter | None = None) -> Sweep:
    """Sweep the announcements (/diffuser) to Matrix rooms, under the reminders' `limiter`
    (one sender for the homeserver)."""
    store = await Store.open(database)
    sweeper = Sweeper(Scoped(BroadcastStore(store.db), is_matrix),
                      make_send(client, Identities(store.db)), clock=clock,
                      config=config or BROADCAST_SWEEP, limits=MATRIX_LIMITS, limiter=limiter,
                      compose=announcement)
    task = asyncio.create_task(sweeper.run_forever(), name="annonces matrix")
    return Sweep(sweeper=sweeper, task=task, store=store)
