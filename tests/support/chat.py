"""Shared test helpers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

from bot.app import build_assistant
from bot.assistant import Assistant
from bot.content.loader import Content
from bot.core.config import ROOT
from bot.core.replies import Conversation, Incoming, Outgoing
from bot.faq.matcher import FaqMatcher, Thresholds
from bot.storage.store import Store

KNOWLEDGE = ROOT / "knowledge"


FLOWS = ROOT / "flows"


FIXED_NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)


async def temporary_store(database_target: str | Path) -> AsyncIterator[Store]:
    """A real database, empty, on each engine (a SQLite file, the test PostgreSQL server):
    the `store` fixture, also served under another name where `store` means something else
    (tests/reminders)."""
    opened = await Store.open(database_target)
    yield opened
    await opened.close()


def spaced(text: str) -> str:
    """Text with French non-breaking spaces as plain spaces, to compare labels."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


class Chat:
    """Drives the assistant like a user: say something, press a button by its label."""

    def __init__(self, assistant: Assistant, chat_id: int = 1, user_id: int = 1) -> None:
        self.assistant = assistant
        self.conversation = Conversation(chat_id, user_id)
        self.last: list[Outgoing] = []

    async def say(self, text: str) -> list[Outgoing]:
        self.last = await self.assistant.handle(self.conversation, Incoming.text(text))
        return self.last

    async def press(self, label: str) -> list[Outgoing]:
        buttons = [b for reply in self.last for row in reply.buttons for b in row]
        matching = [b for b in buttons if spaced(b.label) == spaced(label)]
        assert matching, f"no button {label!r} in {[b.label for b in buttons]}"
        self.last = await self.assistant.handle(self.conversation,
                                                Incoming.button(matching[0].payload))
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.last)

    @property
    def labels(self) -> list[str]:
        return [b.label for reply in self.last for row in reply.buttons for b in row]


async def suggesting_chat(content: Content, store: Store) -> Chat:
    """An assistant whose thresholds make every matched question a suggestion."""
    strict = dataclasses.replace(
        content, matcher=FaqMatcher(content.faq.values(),
                                    Thresholds(answer=101.0, answer_far_ahead=101.0,
                                               margin=0.0, suggest=1.0, verbatim=False)))
    return Chat(build_assistant(strict, store, clock=lambda: FIXED_NOW))
