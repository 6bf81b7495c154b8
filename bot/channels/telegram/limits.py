"""Telegram traffic control: retries (429, network, 5xx) and per-chat ordering of updates."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, BaseUpdateProcessor

logger = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
Turn = Callable[[int], Awaitable[None]]   # wait until a message to this chat may leave
# Methods that post a message (Telegram counts them against its flood limits).
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendVideo",
                   "sendAudio", "sendVoice", "sendAnimation", "sendSticker", "sendLocation",
                   "sendContact", "sendPoll", "sendDice", "copyMessage", "forwardMessage"})


class RetryingRateLimiter(AIORateLimiter):
    """python-telegram-bot's AIORateLimiter (flood limits; a 429 waits `retry_after`, then is
    retried), which also retries network errors, timeouts and 5xx answers with backoff.

    A 400 (BadRequest, a subclass of NetworkError in python-telegram-bot) is never retried, nor
    is a 403: those are answers, not accidents.
    """

    def __init__(self, *, network_retries: int = 3, backoff: float = 0.5,
                 sleep: Sleep = asyncio.sleep, **limits: Any) -> None:
        limits.setdefault("max_retries", 3)
        super().__init__(**limits)
        self.network_retries = network_retries
        self.backoff = backoff
        self.sleep = sleep
        self.turn: Turn | None = None   # waits a message's turn across replicas (set by the app)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if self.turn is not None and endpoint in SENDS and isinstance(chat_id, int | str) \
                and str(chat_id).lstrip("-").isdigit():
            await self.turn(int(chat_id))
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                     rate_limit_args)
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt >= self.network_retries:
                    raise
                delay = self.backoff * 2 ** attempt
                attempt += 1
                logger.warning("%s a échoué (%s) : essai %d/%d dans %.2f s", endpoint, exc,
                               attempt, self.network_retries, delay)
                await self.sleep(delay)


def production_limiter() -> RetryingRateLimiter:
    """Telegram's documented limits: 30 messages/s overall, 20/min per group; 3 retries."""
    return RetryingRateLimiter(overall_max_rate=30, overall_time_period=1, group_max_rate=20,
                               group_time_period=60, max_retries=3, network_retries=3,
                               backoff=0.5)


ChatLock = Callable[[int], AbstractAsyncContextManager[None]]


class PerChatProcessor(BaseUpdateProcessor):
    """Updates of different chats are handled concurrently; those of one chat one at a time,
    in arrival order (a conversation's state is read, then written, by each of its updates);
    with `chat_lock`, one at a time across the replicas too."""

    def __init__(self, max_concurrent_updates: int = 64, *,
                 chat_lock: ChatLock | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.chat_lock = chat_lock   # across replicas (bot/storage: an advisory lock)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object,
                                coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        key = chat.id
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                if self.chat_lock is None:
                    await coroutine
                else:
                    async with self.chat_lock(key):
                        await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: Application.stop() already waited for running updates."""
