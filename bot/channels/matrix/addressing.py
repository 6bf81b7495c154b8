"""What a Matrix message says to the assistant: the reply fallback removed and, in a group
room, only what is addressed to it (a command, a mention, a reply to one of its messages)."""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any


def without_fallback(body: str) -> str:
    """A reply's text without the quoted lines (`> …`) clients put before it."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith(">"):
        return body
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).lstrip("\n")


def replied_event(content: dict[str, Any]) -> str | None:
    relation = content.get("m.relates_to") or {}
    reply = relation.get("m.in_reply_to") or {}
    event_id = reply.get("event_id")
    return event_id if isinstance(event_id, str) else None


def mentioned(content: dict[str, Any], bot_id: str) -> bool:
    """The message names the assistant (m.mentions, a pill, or its id in the text)."""
    mentions = content.get("m.mentions") or {}
    if bot_id in (mentions.get("user_ids") or ()):
        return True
    formatted = content.get("formatted_body") or ""
    return f"matrix.to/#/{bot_id}" in formatted or bot_id in (content.get("body") or "")


def strip_mention(text: str, names: tuple[str, ...]) -> str:
    """`@bot: question`, `Assistant, question` → `question` (a whole name at the start
    only: "assistante" does not name "assistant")."""
    for name in sorted(names, key=len, reverse=True):
        if name and re.match(re.escape(name) + r"(?!\w)", text, re.IGNORECASE):
            return re.sub(r"^[\s:,]+", "", text[len(name):])
    return text


def addressed(content: dict[str, Any], *, bot_id: str, names: tuple[str, ...],
              own_events: Container[str]) -> str | None:
    """In a group room, the text meant for the assistant (None: talk between members)."""
    text = without_fallback(str(content.get("body") or "")).strip()
    if text.startswith("/"):
        return text
    stripped = strip_mention(text, names)
    if stripped != text or mentioned(content, bot_id):  # named first, or a pill anywhere
        return stripped
    replied = replied_event(content)
    if replied is not None and replied in own_events:
        return text
    return None
