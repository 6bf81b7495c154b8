"""Telegram's flood limits as sliding windows. Pure: every call takes `now` (seconds).

Limits (Telegram's FAQ and the PTB wiki, undocumented and approximate): at most 30 messages
per second overall, 1 per second in a chat, 20 per minute in a group (negative chat ids).
A message counts when it starts being sent (`record`); a 429 pauses only its chat (`pause`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from bot.core.replies import is_group


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """How many messages may start in which window."""

    overall: int = 30
    overall_window: float = 1.0
    chat_interval: float = 1.0
    group: int = 20
    group_window: float = 60.0


def slots(chat_id: int, limits: Limits) -> list[tuple[str, float, float]]:
    """The turns one message to this chat takes in the limits several processes share (key,
    seconds between two turns, seconds of turns a burst may take ahead): the deployment's,
    evenly spaced; then a group's, 20 at once then one every 3 s, as python-telegram-bot's own
    limiter allows. (One chat's 1 s is kept by the one sweeper in memory; replies to a person
    may come in a short burst.)"""
    keys = [("all", limits.overall_window / limits.overall, 0.0)]
    if is_group(chat_id):
        step = limits.group_window / limits.group
        keys.append((f"group:{chat_id}", step, step * (limits.group - 1)))
    return keys


class RateLimiter:
    """When may a message to a chat start, given those already started."""

    PRUNE_EVERY = 1000

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._overall: deque[float] = deque()
        self._last: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        self._paused: dict[int, float] = {}
        self._records = 0

    def overall_delay(self, now: float) -> float:
        """Seconds to wait before any message may start (0 if one may start now)."""
        window = self._overall
        while window and window[0] <= now - self.limits.overall_window:
            window.popleft()
        if len(window) < self.limits.overall:
            return 0.0
        return window[len(window) - self.limits.overall] + self.limits.overall_window - now

    def chat_delay(self, chat_id: int, now: float) -> float:
        """Seconds to wait before a message to this chat may start, ignoring the overall cap."""
        waits = [0.0, self._paused.get(chat_id, 0.0) - now]
        last = self._last.get(chat_id)
        if last is not None:
            waits.append(last + self.limits.chat_interval - now)
        if is_group(chat_id):
            window = self._groups.get(chat_id)
            if window:
                while window and window[0] <= now - self.limits.group_window:
                    window.popleft()
                if len(window) >= self.limits.group:
                    waits.append(window[len(window) - self.limits.group]
                                 + self.limits.group_window - now)
        return max(waits)

    def delay(self, chat_id: int, now: float) -> float:
        """Seconds to wait before a message to this chat may start."""
        return max(self.overall_delay(now), self.chat_delay(chat_id, now))

    def record(self, chat_id: int, now: float) -> None:
        """A message to this chat starts now."""
        self._overall.append(now)
        self._last[chat_id] = now
        if is_group(chat_id):
            self._groups.setdefault(chat_id, deque()).append(now)
        self._records += 1
        if self._records % self.PRUNE_EVERY == 0:
            self._prune(now)

    def seed(self, sends: list[tuple[int, float]]) -> None:
        """Messages already started (by an earlier process, say), merged in time order."""
        events = sorted([*((None, t) for t in self._overall), *sends], key=lambda e: e[1])
        self._overall = deque(t for _, t in events)
        for chat_id, moment in sorted(sends, key=lambda e: e[1]):
            self._last[chat_id] = max(moment, self._last.get(chat_id, moment))
            if is_group(chat_id):
                window = self._groups.setdefault(chat_id, deque())
                window.append(moment)
                self._groups[chat_id] = deque(sorted(window))

    def pause(self, chat_id: int, until: float) -> None:
        """Nothing to this chat before `until` (Telegram answered 429 with retry_after)."""
        self._paused[chat_id] = max(until, self._paused.get(chat_id, 0.0))

    def _prune(self, now: float) -> None:
        horizon = max(self.limits.chat_interval, self.limits.group_window)
        self._last = {c: t for c, t in self._last.items() if t > now - horizon}
        self._paused = {c: t for c, t in self._paused.items() if t > now}
        self._groups = {c: w for c, w in self._groups.items()
                        if w and w[-1] > now - self.limits.group_window}
