"""What a channel's send function raises, so that the sweep knows what to do next.

The Telegram adapter translates: telegram.error.Forbidden (and BadRequest "chat not found")
→ Blocked; RetryAfter → RetryLater(retry_after); another BadRequest → Rejected (given up at
once: sending the same text again would fail again); a timeout after the request was sent →
MaybeSent (not retried: at most once); other NetworkError and TimedOut → Transient.
Any other exception is treated like Transient (retried with backoff, then given up).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Send = Callable[[int, str], Awaitable[None]]


class DeliveryError(Exception):
    """A message could not be delivered."""


class Blocked(DeliveryError):
    """The chat cannot receive messages any more (403: bot blocked, or removed from a group)."""


class RetryLater(DeliveryError):
    """Flood control (429): wait `seconds` before sending to this chat again."""

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"réessayer dans {seconds:g} s")
        self.seconds = float(seconds)


class Transient(DeliveryError):
    """A failure that may pass (network error, server error 5xx, timeout)."""


class MaybeSent(DeliveryError):
    """No answer after the request was sent (read timeout): Telegram may have delivered it."""


class Rejected(DeliveryError):
    """Telegram refused this message itself (400: bad HTML, too long…): no retry."""
