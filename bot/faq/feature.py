"""The FAQ as a feature: free questions answered and recorded, its buttons (an entry, a
suggestion picked, none of them), the conversation's remembered subject."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, TypeVar

from bot.core import messages
from bot.core.callbacks import SIMULATION_FLOW, RefineButton, payload_number
from bot.core.registry import ButtonRoute, Command
from bot.core.replies import Button, Conversation, Outgoing
from bot.core.text import normalize
from bot.faq import followup
from bot.faq.answering import (
    MAX_QUESTION_LENGTH,
    NONE_PICKED,
    Answer,
    Answerer,
    looks_like_question,
    next_context,
    titled,
)
from bot.faq.quick import QuickRequest
from bot.faq.talk_store import TalkStore
from bot.storage import events
from bot.storage.transactions import storage_trouble, warn_storage

if TYPE_CHECKING:
    from bot.core.host import Host

T = TypeVar("T")


class FaqFeature:
    """Free questions: answered at once, suggestions, or the fallback (recorded for review)."""

    name: ClassVar[str] = "FAQ"
    commands: ClassVar[tuple[Command, ...]] = ()
    buttons: ClassVar[tuple[ButtonRoute, ...]] = (
        ButtonRoute("f", "entry_button"), ButtonRoute("s", "suggestion_button"),
        ButtonRoute("n", "none_button"))
    actions: ClassVar[dict[str, str]] = {}

    def __init__(self, host: Host) -> None:
        self.host = host
        self.store = host.store
        self.talk_store = TalkStore(host.store.db)
        self.answerer = Answerer(lambda: host.content, self._now,
                                 lambda: host.help_text(admin=False))

    def _now(self) -> dt.datetime:
        return self.host.clock()  # read each time: the host's clock may be replaced

    def reply(self, question: str, context: followup.Context | None = None) -> list[Answer]:
        """All answers to one message (see `Answerer.reply`)."""
        return self.answerer.reply(question, context)

    def answer(self, question: str) -> Answer:
        """The answer to one question (see `Answerer.answer`)."""
        return self.answerer.answer(question)

    async def take_text(self, conversation: Conversation, text: str) -> list[Outgoing]:
        """Any text no flow took: a question."""
        return await self.question(conversation, text)

    async def side_question(self, conversation: Conversation,
                            text: str) -> list[Outgoing] | None:
        """A text a flow could not read: answered if it is clearly a question, else None."""
        if not looks_like_question(text) or len(text) > MAX_QUESTION_LENGTH:
            return None
        return await self.question(conversation, text)

    # --- buttons ------------------------------------------------------------------------

    async def entry_button(self, conversation: Conversation, value: str) -> list[Outgoing] | None:
        """"f:<entry>": an entry's answer (then the active flow's question again)."""
        if value not in self.host.content.faq:
            return None
        return await self.host.then_flow(conversation, [self._faq_reply(value)])

    async def suggestion_button(self, conversation: Conversation,
                                value: str) -> list[Outgoing] | None:
        """"s:<record>:<entry>": a suggestion picked (noted on the recorded question)."""
        record, _, entry_id = value.partition(":")
        record_id = payload_number(record)
        if record_id is None or entry_id not in self.host.content.faq:
            return None
        await self.store.set_unanswered_outcome(record_id, conversation.chat_id,
                                                f"chosen:{entry_id}")
        return await self.host.then_flow(conversation, [self._faq_reply(entry_id)])

    async def none_button(self, conversation: Conversation, value: str) -> list[Outgoing] | None:
        """"n:<record>": none of the suggestions."""
        record_id = payload_number(value)
        if record_id is None:
            return None
        await self.store.set_unanswered_outcome(record_id, conversation.chat_id, "none")
        return [self.host.menu_reply(messages.NONE_CHOSEN)]

    # --- questions ----------------------------------------------------------------------

    async def question(self, conversation: Conversation, text: str) -> list[Outgoing]:
        if not text:
            return [Outgoing(text=messages.EMPTY)]
        if len(text) > MAX_QUESTION_LENGTH:
            return [Outgoing(text=messages.TOO_LONG)]
        who = (conversation.chat_id, conversation.user_id)
        context = await self.talk_store.load(*who)
        answers = self.answerer.reply(text, context)
        replies: list[Outgoing] = []
        records: list[int | None] = []
        for answer in answers:
            if answer.chosen is not None:
                outcome = f"chosen:{answer.entry_id}" if answer.entry_id else "none"
                await self.store.set_unanswered_outcome(answer.chosen, conversation.chat_id,
                                                        outcome)
            elif answer.kind in events.QUESTION_KINDS:
                self.host.event(conversation, events.QUESTION_KINDS[answer.kind])
            record_id = None
            if answer.kind in ("suggest", "fallback"):
                record_id = await self._spare_storage(
                    self.record(conversation, answer.question or text, answer),
                    "question sans réponse non enregistrée")
            records.append(record_id)
            replies.append(self._talk_render(conversation, answer, record_id))
        now = self.host.clock()
        remembered = next_context(context.fresh(now, self.host.content.followups,
                                                self.host.content.talk.picks.minutes),
                                  answers, records, now, self.host.content.faq)
        if remembered != context:
            await self._spare_storage(self.talk_store.save(*who, remembered, now),
                                      "sujet de la conversation non retenu")
        return replies

    async def _spare_storage(self, write: Awaitable[T], lost: str) -> T | None:
        """A write whose loss the answer survives: on a full disk, warn (saying what was lost)
        and go on."""
        try:
            return await write
        except Exception as error:
            if not storage_trouble(error):
                raise
            warn_storage(self.store.db, error, lost)
            return None

    async def record(self, conversation: Conversation, text: str, answer: Answer) -> int:
        """Record a question that was not answered with confidence."""
        match = answer.match
        candidates = [{"id": c.entry.id, "score": c.score} for c in match.candidates] \
            if match else []
        return await self.store.record_unanswered(
            chat_id=conversation.chat_id, user_id=conversation.user_id, question=text,
            normalized=match.normalized if match else normalize(text), band=answer.kind,
            candidates=candidates, at=self.host.clock())

    def _talk_render(self, conversation: Conversation, answer: Answer,
                     record_id: int | None) -> Outgoing:
        """An answer as a reply, small talk included, with its prefix."""
        reply = self._render(answer, record_id)
        if answer.kind == "smalltalk":
            intents = self.host.content.talk.intents
            intent = next((i for i in intents if i.id == answer.intent), None)
            command = intent.command if intent else None
            if command == "aide" and self.host.is_admin(conversation):
                reply = Outgoing(text=self.host.help_text(admin=True))
            elif command == "menu" or answer.intent == NONE_PICKED:
                reply = self.host.menu_reply(answer.text)
        if answer.prefix:
            reply = replace(reply, text=f"{answer.prefix}\n\n{reply.text}")
        return reply

    def _render(self, answer: Answer, record_id: int | None) -> Outgoing:
        if answer.kind == "faq" and answer.entry_id:
            return self._faq_reply(answer.entry_id, answer.title)
        if answer.kind == "suggest":
            rows = [(Button(question, f"s:{record_id or 0}:{entry_id}"),)
                    for entry_id, question in answer.suggestions]
            rows.append((Button(messages.NONE_OF_THESE, f"n:{record_id or 0}"),))
            return Outgoing(text=answer.text, buttons=tuple(rows))
        if answer.kind == "fallback":
            return self.host.menu_reply(answer.text)
        if answer.kind == "smalltalk":
            return Outgoing(text=answer.text)
        buttons = [Button(messages.MENU_BUTTON, "m")]
        if answer.request is not None and SIMULATION_FLOW in self.host.content.flows:
            buttons.insert(0, Button(messages.REFINE_SIMULATION,
                                     refine_button(answer.request).pack()))
        return Outgoing(text=answer.text, buttons=(tuple(buttons),))

    def _faq_reply(self, entry_id: str, title: str | None = None) -> Outgoing:
        """An entry's answer (under the question it answers, if given) and its « Voir aussi »."""
        entry = self.host.content.faq[entry_id]
        rows = tuple((Button(self.host.content.faq[other].question, f"f:{other}"),)
                     for other in entry.see_also)
        text = titled(entry.answer, title) + (f"\n\n{messages.SEE_ALSO}" if rows else "")
        return Outgoing(text=text, buttons=rows)


def refine_button(request: QuickRequest) -> RefineButton:
    """The "Affiner la simulation" button of a quick computation."""
    territory = request.territories[0].id if len(request.territories) == 1 else None
    posts = request.posts if request.posts_given and request.posts > 0 else None
    return RefineButton(posts, territory,
                        request.structure)
