"""What goes in and out of the assistant, for any channel: inputs, replies, buttons, files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_MESSAGE_LENGTH = 4000  # Telegram refuses texts over 4096 characters


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: what it shows and the short payload it sends back."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file sent with a reply (PNG, PDF, .ics…)."""

    filename: str
    data: bytes
    kind: Literal["document", "photo"] = "document"


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """One reply: HTML-safe text, optional button rows and file; `replace` edits the last one;
    `private` sends it to the member alone, in their private chat (a group's admin figures)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    file: Attachment | None = None
    replace: bool = False
    private: bool = False


@dataclass(frozen=True, slots=True)
class Incoming:
    """What a user sent: typed text (commands included) or a pressed button's payload."""

    kind: Literal["text", "button"]
    value: str

    @classmethod
    def text(cls, value: str) -> Incoming:
        return cls("text", value)

    @classmethod
    def button(cls, payload: str) -> Incoming:
        return cls("button", payload)


@dataclass(frozen=True, slots=True)
class Conversation:
    """Who the assistant talks to: a chat, and the member of that chat."""

    chat_id: int
    user_id: int


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """A long text as several messages, cut between paragraphs (then lines)."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        candidate = f"{current}\n{paragraph}" if current else paragraph
        if len(candidate) > limit and current:
            chunks.append(current)
            candidate = paragraph
        current = candidate[:limit]
    if current:
        chunks.append(current)
    return chunks


def is_group(chat_id: int) -> bool:
    """Groups and channels have negative chat ids (the Bot API's convention, kept by every
    channel)."""
    return chat_id < 0
