"""Fault injection and optional Telegram-like flood control."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

from .errors import STATUS_TEXTS, ApiError, flood

KINDS = ("429", "400", "403", "500", "502", "timeout", "disconnect")


@dataclass
class Fault:
    """What to do instead of (or after) answering one request."""

    kind: str  # one of KINDS
    retry_after: int = 1  # for "429"
    hold: float = 10.0  # seconds a "timeout" keeps the request open
    applied: bool = False  # "timeout"/"disconnect": perform the call, then lose the answer
    description: str | None = None  # overrides the default text of an HTTP error

    def error(self) -> ApiError:
        """The error response of an HTTP-level fault."""
        if self.kind == "429":
            return flood(self.retry_after)
        code = int(self.kind)
        return ApiError(code, self.description or STATUS_TEXTS[code])


class FaultPlan:
    """Faults queued per method name ("*" matches any method)."""

    def __init__(self) -> None:
        self._queued: dict[str, deque[Fault]] = {}

    def add(self, method: str, fault: Fault, times: int) -> None:
        """Make the next `times` calls of `method` fail with `fault`."""
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; use one of {KINDS}")
        self._queued.setdefault(method.lower(), deque()).extend([fault] * times)

    def take(self, method: str) -> Fault | None:
        """Pop the fault planned for this call, if any."""
        for key in (method.lower(), "*"):
            queue = self._queued.get(key)
            if queue:
                return queue.popleft()
        return None

    def clear(self) -> None:
        """Forget every planned fault."""
        self._queued.clear()


@dataclass
class FloodLimits:
    """Telegram's documented soft limits; None disables a limit."""

    per_chat_per_second: int | None = 1
    per_group_per_minute: int | None = 20
    global_per_second: int | None = 30


class FloodControl:
    """Sliding-window counters that answer 429 like Telegram when a limit is exceeded."""

    def __init__(self, limits: FloodLimits) -> None:
        self.limits = limits
        self._chat: dict[int, deque[float]] = {}
        self._all: deque[float] = deque()

    def check(self, chat_id: int, is_group: bool) -> None:
        """Raise a 429 ApiError if one more message to `chat_id` would exceed a limit."""
        now = time.monotonic()
        sent = self._chat.setdefault(chat_id, deque())
        rules = [
            (sent, 1.0, self.limits.per_chat_per_second),
            (self._all, 1.0, self.limits.global_per_second),
        ]
        if is_group:
            rules.append((sent, 60.0, self.limits.per_group_per_minute))
        for times, window, limit in rules:
            if limit is None:
                continue
            recent = [t for t in times if t > now - window]
            if len(recent) >= limit:
                wait = recent[-limit] + window - now
                raise flood(max(1, math.ceil(wait)))
        sent.append(now)
        self._all.append(now)
        while sent and sent[0] < now - 60.0:
            sent.popleft()
        while self._all and self._all[0] < now - 1.0:
            self._all.popleft()
