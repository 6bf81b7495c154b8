"""What a feature may ask of the assistant that hosts it (implemented by `Assistant`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from bot.core.replies import Conversation, Outgoing

if TYPE_CHECKING:
    from bot.content.loader import Content
    from bot.storage.store import Store


class Host(Protocol):
    """The assistant as its features see it: content, store, time, menu, flows, questions."""

    content: Content
    store: Store
    zone: ZoneInfo
    admins: frozenset[int]

    def clock(self) -> dt.datetime: ...

    def is_admin(self, conversation: Conversation) -> bool: ...

    def menu_reply(self, text: str) -> Outgoing: ...

    def help_text(self, *, admin: bool) -> str: ...

    def event(self, conversation: Conversation, kind: str) -> None: ...

    async def reload(self, content: Content) -> None: ...

    async def start_flow(self, conversation: Conversation, flow_id: str,
                         prefill: Mapping[str, object] | None = None) -> list[Outgoing]: ...

    async def answer_question(self, conversation: Conversation,
                              text: str) -> list[Outgoing] | None: ...

    async def then_flow(self, conversation: Conversation,
                        replies: list[Outgoing]) -> list[Outgoing]: ...

    async def run_action(self, action: str, conversation: Conversation,
                         values: Mapping[str, object]) -> list[Outgoing]: ...
