"""The assistant: turns an incoming text, command or button into replies, for any channel."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from bot import messages
from bot.content import Content
from bot.knowledge import Match
from bot.quick import answer as quick_answer
from bot.quick import parse as quick_parse
from bot.store import Store
from bot.text import normalize

MAX_QUESTION_LENGTH = 1000
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
    """One reply: HTML-safe text, optional button rows and file; `replace` edits the last one."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    file: Attachment | None = None
    replace: bool = False


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """A channel-neutral answer to a free question (also what `python -m bot ask` prints)."""

    kind: Literal["faq", "compute", "suggest", "fallback"]
    text: str
    entry_id: str | None = None
    score: float | None = None
    suggestions: tuple[tuple[str, str], ...] = ()
    source: str | None = None
    match: Match | None = field(default=None, repr=False)


class Assistant:
    """Routes each input, in order: command → button → quick computation → FAQ."""

    def __init__(self, content: Content, store: Store, *, clock: Clock = utc_now) -> None:
        self.content = content
        self.store = store
        self.clock = clock
        self.commands: dict[str, Callable[[Conversation, str], list[Outgoing]]] = {
            "start": lambda c, a: [self._menu_reply(messages.WELCOME)],
            "menu": lambda c, a: [self._menu_reply(messages.MENU)],
            "aide": lambda c, a: [Outgoing(text=messages.HELP)],
        }

    async def handle(self, conversation: Conversation, incoming: Incoming) -> list[Outgoing]:
        """All replies to one input."""
        if incoming.kind == "button":
            return await self._button(conversation, incoming.value)
        text = incoming.value.strip()
        if text.startswith("/"):
            return self._command(conversation, text)
        return await self._question(conversation, text)

    def _command(self, conversation: Conversation, text: str) -> list[Outgoing]:
        name, _, args = text[1:].partition(" ")
        name = name.split("@", 1)[0].lower()
        handler = self.commands.get(name)
        if handler is None:
            shown = html.escape("/" + name[:40], quote=False)
            return [Outgoing(text=messages.UNKNOWN_COMMAND.format(command=shown))]
        return handler(conversation, args.strip())

    async def _question(self, conversation: Conversation, text: str) -> list[Outgoing]:
        if not text:
            return [Outgoing(text=messages.EMPTY)]
        if len(text) > MAX_QUESTION_LENGTH:
            return [Outgoing(text=messages.TOO_LONG)]
        answer = self.answer(text)
        record_id = None
        if answer.kind in ("suggest", "fallback"):
            record_id = await self.record(conversation, text, answer)
        return [self._render(answer, record_id)]

    def answer(self, question: str) -> Answer:
        """Answer a free question: a computation, an FAQ entry, suggestions, or the fallback."""
        params = self.content.params
        request = quick_parse(normalize(question), params)
        if request is not None:
            return Answer(kind="compute", text=quick_answer(request, params))
        match = self.content.matcher.match(question)
        best = match.best
        if match.band == "answer" and best is not None:
            return Answer(kind="faq", text=best.entry.answer, entry_id=best.entry.id,
                          score=best.score, source=params.cite(best.entry.sources), match=match)
        if match.band == "suggest":
            return Answer(kind="suggest", text=messages.SUGGEST,
                          score=best.score if best else None,
                          suggestions=tuple((c.entry.id, c.entry.question)
                                            for c in match.candidates), match=match)
        return Answer(kind="fallback", text=messages.FALLBACK,
                      score=best.score if best else None, match=match)

    async def record(self, conversation: Conversation, text: str, answer: Answer) -> int:
        """Record a question that was not answered with confidence."""
        match = answer.match
        candidates = [{"id": c.entry.id, "score": c.score} for c in match.candidates] \
            if match else []
        return await self.store.record_unanswered(
            chat_id=conversation.chat_id, user_id=conversation.user_id, question=text,
            normalized=match.normalized if match else normalize(text), band=answer.kind,
            candidates=candidates, at=self.clock())

    def _render(self, answer: Answer, record_id: int | None) -> Outgoing:
        if answer.kind == "faq" and answer.entry_id:
            return self._faq_reply(answer.entry_id)
        if answer.kind == "suggest":
            rows = [(Button(question, f"s:{record_id or 0}:{entry_id}"),)
                    for entry_id, question in answer.suggestions]
            rows.append((Button(messages.NONE_OF_THESE, f"n:{record_id or 0}"),))
            return Outgoing(text=answer.text, buttons=tuple(rows))
        if answer.kind == "fallback":
            return self._menu_reply(answer.text)
        return Outgoing(text=answer.text, buttons=((Button(messages.MENU_BUTTON, "m"),),))

    def _faq_reply(self, entry_id: str) -> Outgoing:
        entry = self.content.faq[entry_id]
        rows = tuple((Button(self.content.faq[other].question, f"f:{other}"),)
                     for other in entry.see_also)
        text = entry.answer + (f"\n\n{messages.SEE_ALSO}" if rows else "")
        return Outgoing(text=text, buttons=rows)

    def _menu_reply(self, text: str) -> Outgoing:
        buttons = []
        for item in self.content.menu:
            payload = f"f:{item.faq}" if item.faq else f"c:{item.command}"
            buttons.append(Button(item.label, payload))
        rows = tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))
        return Outgoing(text=text, buttons=rows)

    async def _button(self, conversation: Conversation, payload: str) -> list[Outgoing]:
        kind, _, value = payload.partition(":")
        if kind == "f" and value in self.content.faq:
            return [self._faq_reply(value)]
        if kind == "m" and not value:
            return [self._menu_reply(messages.MENU)]
        if kind == "c" and value in self.commands:
            return self.commands[value](conversation, "")
        if kind == "s":
            record, _, entry_id = value.partition(":")
            if record.isdigit() and entry_id in self.content.faq:
                await self.store.set_unanswered_outcome(int(record), conversation.chat_id,
                                                        f"chosen:{entry_id}")
                return [self._faq_reply(entry_id)]
        if kind == "n" and value.isdigit():
            await self.store.set_unanswered_outcome(int(value), conversation.chat_id, "none")
            return [self._menu_reply(messages.NONE_CHOSEN)]
        return [self._menu_reply(messages.STALE_BUTTON + " " + messages.MENU)]
