"""A channel's share of a delivery queue: when several channels run beside each other on one
database, each sweep sends only the rows of its own chats (bot/core/chat_ids.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any


class Scoped:
    """A queue (ReminderStore, BroadcastStore) whose `due` rows are those `owns` accepts;
    everything else is the queue's own."""

    def __init__(self, queue: Any, owns: Callable[[int], bool]) -> None:
        self.queue = queue
        self.owns = owns

    async def due(self, now: dt.datetime, limit: int = 1000) -> Sequence[Any]:
        return [row for row in await self.queue.due(now, limit) if self.owns(row.chat_id)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.queue, name)
