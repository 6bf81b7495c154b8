"""The sweep: every few seconds, send the rows that are due (reminders, announcements) within
the channel's limits.

Delivery guarantee: **at most once per reminder**, and in practice exactly once.
- Each reminder is claimed on its own just before it is sent: its row becomes 'sending',
  and that is committed before the message leaves. After the send it becomes 'sent'.
- A crash (kill -9, power cut) between the two leaves the row in 'sending'. Whether
  Telegram got the message cannot be known (the Bot API has no idempotency key and no way
  to list what a bot sent). Such a row, found later than `stuck_after`, becomes
  'uncertain' and is never re-sent: a second copy would be the visible failure the users
  were promised would not happen, while a missing copy is compensated by the other
  reminders of the same deadline (7 days, 2 days and on the day). The rows are logged and
  listed by `python -m bot reminders`, so an operator can see them.
- Only the messages in flight at the moment of a crash are exposed, at most
  `max_in_flight`; a normal stop (task cancelled, SIGTERM) lets them finish and be marked.
- A send that fails with an error (network, 5xx) is retried with exponential backoff,
  then given up after `max_attempts` ('failed', logged); a message Telegram refuses as
  such (400, `Rejected`) is given up at once. A read timeout after Telegram
  accepted the message is the one case where such a retry can duplicate it.
- After downtime the sweep catches up: the queue skips rows another one supersedes (when
  several reminders of one deadline are overdue, only the latest is sent) and `compose`
  writes the text of a late one (bot/reminders/delivery.py: "rappel envoyé en retard").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.clock import Clock, utc_now
from bot.delivery.errors import Blocked, MaybeSent, Rejected, RetryLater, Send
from bot.delivery.ratelimit import Limits, RateLimiter

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
MIN_SLEEP = 0.001


class Row(Protocol):
    """A row to deliver: a reminder (bot/reminders/store.py), an announcement's delivery."""

    @property
    def id(self) -> int: ...
    @property
    def chat_id(self) -> int: ...
    @property
    def attempts(self) -> int: ...
    @property
    def text(self) -> str: ...


class Queue(Protocol):
    """Rows to deliver with the claim/sent discipline: ReminderStore, BroadcastStore."""

    async def recover_stuck(self, now: dt.datetime, older_than: dt.timedelta) -> list[int]: ...
    async def recent_sends(self, since: dt.datetime) -> list[tuple[int, dt.datetime]]: ...
    async def skip_superseded(self, now: dt.datetime) -> int: ...
    async def due(self, now: dt.datetime, limit: int = 1000) -> Sequence[Any]: ...
    async def claim(self, row_id: int, now: dt.datetime) -> Any: ...
    async def mark_sent(self, row_id: int, now: dt.datetime) -> None: ...
    async def retry_later(self, row_id: int, *, at: dt.datetime, error: str,
                          now: dt.datetime, count_attempt: bool = True) -> None: ...
    async def mark_failed(self, row_id: int, *, error: str, now: dt.datetime) -> None: ...
    async def mark_uncertain(self, row_id: int, *, error: str, now: dt.datetime) -> None: ...
    async def block_chat(self, chat_id: int, *, now: dt.datetime, reason: str) -> int: ...


Compose = Callable[[Any, dt.datetime], tuple[str, bool]]  # a row's text now, and "is late"


def as_stored(row: Row, now: dt.datetime) -> tuple[str, bool]:
    """The row's stored text, never late (an announcement says no date)."""
    return row.text, False


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepConfig:
    """How often and how carefully to send."""

    interval: float = 30.0                  # seconds between two sweeps
    batch: int = 1000                       # reminders read per sweep
    max_in_flight: int = 10                 # messages being sent at the same time
    max_attempts: int = 5                   # then 'failed'
    backoff_base: float = 30.0              # seconds, doubled at each attempt
    backoff_max: float = 3600.0
    max_wait: float = 60.0                  # a chat paused longer waits for a later sweep
    stuck_after: dt.timedelta = dt.timedelta(minutes=5)


@dataclass(slots=True)
class SweepReport:
    """What one sweep did."""

    due: int = 0
    claimed: int = 0
    sent: int = 0
    late: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    deferred: int = 0
    skipped: int = 0
    uncertain: list[int] = field(default_factory=list)


class Sweeper:
    """Sends the due rows of one `Queue` through `send`, marking each; one per process.

    `compose` writes a row's text at the moment it leaves (reminders: bot/reminders/delivery.py);
    the announcements' sweep shares the reminders' `limiter`, to stay under the channel's
    overall limit together.
    """

    def __init__(self, store: Queue, send: Send, *, clock: Clock = utc_now,
                 sleep: Sleep = asyncio.sleep, config: SweepConfig | None = None,
                 limits: Limits | None = None, limiter: RateLimiter | None = None,
                 compose: Compose | None = None) -> None:
        self.store = store
        self.send = send
        self.clock = clock
        self.sleep = sleep
        self.config = config or SweepConfig()
        self.limiter = limiter or RateLimiter(limits)
        self.compose: Compose = compose or as_stored
        self.blocked: set[int] = set()      # chats found blocked during this sweep
        self.seeded = False                 # the limiter knows the sends of earlier processes

    def _seconds(self) -> float:
        return self.clock().timestamp()

    async def run_forever(self) -> None:
        """Sweep, then wait `interval`, until cancelled (in-flight sends finish first)."""
        while True:
            try:
                report = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("échec du balayage des rappels")
                report = SweepReport()
            if report.due < self.config.batch or not report.claimed:
                await self.sleep(self.config.interval)    # else more is due: go on

    async def run_once(self) -> SweepReport:
        """Send what is due now, respecting the rate limits; returns what was done."""
        report = SweepReport()
        now = self.clock()
        if not self.seeded:
            await self._seed_limiter(now)
        self.blocked.clear()    # the database says who is blocked; a user may be back
        report.uncertain = await self.store.recover_stuck(now, self.config.stuck_after)
        if report.uncertain:
            log.warning("rappels interrompus pendant l'envoi, non renvoyés : %s",
                        report.uncertain)
        report.skipped = await self.store.skip_superseded(now)
        due = await self.store.due(now, self.config.batch)
        report.due = len(due)
        queues: dict[int, deque[Row]] = {}
        for reminder in due:
            queues.setdefault(reminder.chat_id, deque()).append(reminder)
        ready = [(0.0, order, chat) for order, chat in enumerate(queues)]
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while ready:
                if len(in_flight) >= self.config.max_in_flight:
                    _, in_flight = await asyncio.wait(
                        in_flight, return_when=asyncio.FIRST_COMPLETED)
                    continue
                moment = self._seconds()
                wait = self.limiter.overall_delay(moment)
                if wait <= 0 and ready[0][0] > moment:
                    wait = ready[0][0] - moment
                if wait > 0:
                    await self.sleep(max(wait, MIN_SLEEP))
                    continue
                _, order, chat = heapq.heappop(ready)
                queue = queues[chat]
                wait = self.limiter.chat_delay(chat, moment)
                if wait > self.config.max_wait or chat in self.blocked:
                    report.deferred += len(queue)
                    continue
                if wait > 0:
                    heapq.heappush(ready, (moment + wait, order, chat))
                    continue
                await self._claim(queue.popleft().id, chat, moment, report, in_flight)
                if queue:
                    heapq.heappush(ready, (moment, order, chat))
        finally:
            if in_flight:  # a stop that comes now must not cut them: they finish, are marked
                sends = asyncio.gather(*in_flight, return_exceptions=True)
                try:
                    await asyncio.shield(sends)
                except asyncio.CancelledError:
                    await sends
                    raise
        return report

    async def _seed_limiter(self, now: dt.datetime) -> None:
        """Count the sends of the last minute, a previous process's included: Telegram still
        counts them, and a restarted sweep must not burst past its limits."""
        limits = self.limiter.limits
        horizon = max(limits.overall_window, limits.chat_interval, limits.group_window)
        sends = await self.store.recent_sends(now - dt.timedelta(seconds=horizon))
        self.limiter.seed([(chat, moment.timestamp()) for chat, moment in sends])
        self.seeded = True

    async def _claim(self, row_id: int, chat: int, moment: float, report: SweepReport,
                     in_flight: set[asyncio.Task[None]]) -> None:
        """Claim a row and start its send (added to `in_flight`).

        A stop (cancel) must not cut a claim: its commit goes on in SQLite's thread, and
        the row would stay 'sending', never sent. The claim is finished, its send started
        like the others in flight, and only then does the stop go on.
        """
        claim = asyncio.ensure_future(self.store.claim(row_id, self.clock()))
        try:
            claimed = await asyncio.shield(claim)
        except asyncio.CancelledError:
            claimed = await claim
            if claimed is not None:
                in_flight.add(self._start(claimed, chat, moment, report))
            raise
        if claimed is not None:
            in_flight.add(self._start(claimed, chat, moment, report))

    def _start(self, claimed: object, chat: int, moment: float,
               report: SweepReport) -> asyncio.Task[None]:
        """Count a claimed row's send and start it."""
        report.claimed += 1
        # counted from when the send really starts: the claim's commit (fsync) takes a
        # variable time, and Telegram counts arrivals
        self.limiter.record(chat, max(moment, self._seconds()))
        return asyncio.create_task(self._deliver(claimed, report))  # type: ignore[arg-type]

    async def _deliver(self, reminder: Row, report: SweepReport) -> None:
        try:
            await self._deliver_one(reminder, report)
        except Exception:   # the database failed: the row stays 'sending', then 'uncertain'
            log.exception("rappel %s : erreur pendant l'envoi ou son enregistrement",
                          reminder.id)

    async def _deliver_one(self, reminder: Row, report: SweepReport) -> None:
        text, late = self.compose(reminder, self.clock())
        try:
            await self.send(reminder.chat_id, text)
        except Blocked as error:
            self.blocked.add(reminder.chat_id)
            count = await self.store.block_chat(reminder.chat_id, now=self.clock(),
                                                reason=f"bloqué : {error}")
            report.blocked += 1
            log.warning("chat %s bloqué (403) : %s rappel(s) suspendu(s)",
                        reminder.chat_id, count)
        except RetryLater as error:
            now = self.clock()
            self.limiter.pause(reminder.chat_id, now.timestamp() + error.seconds)
            await self.store.retry_later(
                reminder.id, at=now + dt.timedelta(seconds=error.seconds),
                error=f"429 : {error}", now=now, count_attempt=False)
            report.retried += 1
        except MaybeSent as error:
            await self.store.mark_uncertain(reminder.id, error=f"sans réponse : {error}",
                                            now=self.clock())
            report.uncertain.append(reminder.id)
            log.warning("rappel %s : pas de réponse de Telegram, peut-être reçu, non renvoyé",
                        reminder.id)
        except Rejected as error:
            await self.store.mark_failed(reminder.id, error=f"refusé : {error}",
                                         now=self.clock())
            report.failed += 1
            log.error("rappel %s refusé par Telegram, abandonné : %s", reminder.id, error)
        except Exception as error:  # Transient, and anything unexpected
            await self._failed(reminder, error, report)
        else:
            await self.store.mark_sent(reminder.id, self.clock())
            report.sent += 1
            report.late += late

    async def _failed(self, reminder: Row, error: Exception,
                      report: SweepReport) -> None:
        now = self.clock()
        message = f"{type(error).__name__} : {error}"
        if reminder.attempts >= self.config.max_attempts:
            await self.store.mark_failed(reminder.id, error=message, now=now)
            report.failed += 1
            log.error("rappel %s abandonné après %s tentatives : %s", reminder.id,
                      reminder.attempts, message)
            return
        backoff = min(self.config.backoff_max,
                      self.config.backoff_base * 2 ** (reminder.attempts - 1))
        await self.store.retry_later(reminder.id, at=now + dt.timedelta(seconds=backoff),
                                     error=message, now=now)
        report.retried += 1
        log.info("rappel %s : nouvel essai dans %s s (%s)", reminder.id, backoff, message)
