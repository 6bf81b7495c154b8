"""The assistant: turns an incoming text, command or button into replies, for any channel."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from bot.admin.chat import AdminChat, Loader
from bot.broadcast.store import BroadcastStore
from bot.content.loader import Content
from bot.core import messages
from bot.core.callbacks import FlowButton, RefineButton, payload_number
from bot.core.text import normalize
from bot.dialogue import turns as dialog
from bot.dialogue.flows import Flow
from bot.dialogue.turns import FlowState, Screen, Turn
from bot.documents.files import CODES as DOCUMENT_KINDS
from bot.documents.files import offered, render
from bot.faq import followup, talk
from bot.faq.entries import FaqEntry
from bot.faq.followup import Context, Subject
from bot.faq.matcher import Match
from bot.faq.quick import QuickRequest
from bot.faq.quick import answer as quick_answer
from bot.faq.quick import read as quick_read
from bot.faq.talk_store import TalkStore
from bot.privacy.chat import PrivacyChat
from bot.programme.flowrules import OTHER_TERRITORY, RuleEnv, territory_of
from bot.programme.values import InvalidValue
from bot.reminders.store import ReminderStore
from bot.storage import events
from bot.storage.store import ConversationRow, Store
from bot.storage.transactions import storage_trouble, warn_storage

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_QUESTION_LENGTH = 1000
MAX_MESSAGE_LENGTH = 4000  # Telegram refuses texts over 4096 characters
SIMULATION_FLOW = "simulation"
CONFIDENT = ("faq", "compute")
COMMAND_TEXTS = {"aide": messages.HELP, "menu": messages.MENU}
NONE_PICKED = "aucune"   # the intent of a typed "none of these" ("non", "aucune")
Clock = Callable[[], dt.datetime]
Handler = Callable[["Conversation", str], Awaitable[list["Outgoing"]]]
Listener = Callable[[Content], Awaitable[None]]
ActionHandler = Callable[["Conversation", Mapping[str, object]], Awaitable[list["Outgoing"]]]


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """A channel-neutral answer to a free question (also what `python -m bot ask` prints)."""

    kind: Literal["faq", "compute", "suggest", "fallback", "smalltalk"]
    text: str
    entry_id: str | None = None
    score: float | None = None
    suggestions: tuple[tuple[str, str], ...] = ()
    source: str | None = None
    title: str | None = None  # the question answered, shown unless matched word for word
    match: Match | None = field(default=None, repr=False)
    request: QuickRequest | None = field(default=None, repr=False)
    question: str = ""               # the text answered (a part of the message, a follow-up)
    intent: str | None = None        # small talk: its intent (knowledge/petite_conversation)
    prefix: str = ""                 # small talk said before the answer ("Bonjour !")
    chosen: int | None = None        # a typed pick: the record whose suggestions it answers

    @property
    def said(self) -> str:
        """The text with its small-talk prefix, if any ("Bonjour !" before the answer)."""
        return f"{self.prefix}\n\n{self.text}" if self.prefix else self.text


def looks_like_question(text: str) -> bool:
    """A text that is clearly a question ("c'est quoi le CCP1 ?"), not an answer."""
    words = normalize(text).split()
    if not words:
        return False
    return "?" in text or words[0] in talk.QUESTION_WORDS or words[:3] == ["c", "est", "quoi"]


class Assistant:
    """Routes each input: command → button → active flow step → quick computation → FAQ."""

    def __init__(self, content: Content, store: Store, *, clock: Clock = utc_now,
                 timezone: str = "Europe/Paris",
                 reminders: ReminderStore | None = None,
                 admins: frozenset[int] = frozenset(), loader: Loader | None = None) -> None:
        """`reminders` defaults to the store's own connection (see README, « Rappels »);
        `admins` are the user ids allowed the administrators' commands; `loader` reads the
        content again for /recharger."""
        from bot.reminders.chat import ReminderChat  # noqa: PLC0415 - it builds our replies
        self.content = content
        self.store = store
        self.clock = clock
        self.zone = ZoneInfo(timezone)
        self.admins = admins
        self.reminders = reminders or ReminderStore(store.db)
        self.talk_store = TalkStore(store.db)
        self.reminder_chat = ReminderChat(self, self.reminders)
        self.broadcasts = BroadcastStore(store.db)
        self.privacy = PrivacyChat(self, self.broadcasts)
        self.admin = AdminChat(self, self.broadcasts, loader)
        self.commands: dict[str, Handler] = self._commands_for(content)
        self.admin_commands: dict[str, Handler] = {
            "stats": self.admin.stats,
            "diffuser": self.admin.broadcast,
            "recharger": self.admin.reload,
        }
        self.actions: dict[str, ActionHandler] = {
            "programmer_rappels": self.reminder_chat.schedule}
        self.reload_listeners: list[Listener] = []

    def _commands_for(self, content: Content) -> dict[str, Handler]:
        """Everyone's commands: the engine's, one per flow, /rappels, privacy."""
        commands: dict[str, Handler] = {
            "start": self._reply_menu(messages.WELCOME),
            "menu": self._reply_menu(messages.MENU),
            "aide": self._help,
            "annuler": self._cancel_command,
            "reprendre": self._resume_command,
        }
        for flow_id in content.flows:
            commands[flow_id] = self._flow_command(flow_id)
        commands["rappels"] = self.reminder_chat.command
        commands["abonner"] = self.privacy.subscribe
        commands["desabonner"] = self.privacy.unsubscribe
        commands["oubli"] = self.privacy.forget
        return commands

    async def reload(self, content: Content) -> None:
        """Use new (already validated) content from the next update on: the content and the
        command table are swapped together, with no await in between; then the listeners
        (the Telegram channel registers its command list again) are told."""
        commands = self._commands_for(content)
        self.content, self.commands = content, commands
        log.info("contenu rechargé : %s entrées de FAQ, %s questionnaires",
                 len(content.faq), len(content.flows))
        for listener in self.reload_listeners:
            try:
                await listener(content)
            except Exception:
                log.exception("après le rechargement du contenu")

    def is_admin(self, conversation: Conversation) -> bool:
        """Is this user one of the administrators (BOT_ADMIN_IDS)?"""
        return conversation.user_id in self.admins

    async def handle(self, conversation: Conversation, incoming: Incoming) -> list[Outgoing]:
        """All replies to one input."""
        if incoming.kind == "button":
            return await self._button(conversation, incoming.value)
        text = incoming.value.strip()
        if text.startswith("/"):
            return await self._command(conversation, text)
        row = await self.store.conversation(conversation.chat_id, conversation.user_id)
        if row is not None and row.flow_id is not None:
            try:
                replies = await self._flow_text(conversation, row, text)
            except (ValueError, TypeError, KeyError, RuntimeError):
                return await self._reset_broken_flow(conversation, row)
            if replies is not None:
                return replies
        return await self._question(conversation, text)

    async def _reset_broken_flow(self, conversation: Conversation,
                                 row: ConversationRow) -> list[Outgoing]:
        """A stored flow state that cannot be replayed: log it, forget it, say so."""
        log.exception("flow state of %s cannot be replayed: %r", conversation, row)
        await self._save(conversation, ConversationRow(seq=row.seq + 1))
        return [self._menu_reply(messages.FLOW_BROKEN)]

    async def _command(self, conversation: Conversation, text: str) -> list[Outgoing]:
        name, _, args = text[1:].partition(" ")
        name = name.split("@", 1)[0].lower()
        handler = self.commands.get(name)
        if handler is None and self.is_admin(conversation):
            handler = self.admin_commands.get(name)
        if handler is None:  # an administrator's command is unknown to anyone else
            shown = html.escape("/" + name[:40], quote=False)
            return [Outgoing(text=messages.UNKNOWN_COMMAND.format(command=shown))]
        return await handler(conversation, args.strip())

    def _reply_menu(self, text: str) -> Handler:
        async def reply(conversation: Conversation, args: str) -> list[Outgoing]:
            return [self._menu_reply(text)]
        return reply

    async def _help(self, conversation: Conversation, args: str) -> list[Outgoing]:
        extra = messages.ADMIN_HELP if self.is_admin(conversation) else ""
        return [Outgoing(text=messages.HELP + extra)]

    async def _question(self, conversation: Conversation, text: str) -> list[Outgoing]:
        if not text:
            return [Outgoing(text=messages.EMPTY)]
        if len(text) > MAX_QUESTION_LENGTH:
            return [Outgoing(text=messages.TOO_LONG)]
        who = (conversation.chat_id, conversation.user_id)
        context = await self.talk_store.load(*who)
        answers = self.reply(text, context)
        replies: list[Outgoing] = []
        records: list[int | None] = []
        for answer in answers:
            if answer.chosen is not None:
                outcome = f"chosen:{answer.entry_id}" if answer.entry_id else "none"
                await self.store.set_unanswered_outcome(answer.chosen, conversation.chat_id,
                                                        outcome)
            elif answer.kind in events.QUESTION_KINDS:
                self._event(conversation, events.QUESTION_KINDS[answer.kind])
            record_id = None
            if answer.kind in ("suggest", "fallback"):
                record_id = await self._spare_storage(
                    self.record(conversation, answer.question or text, answer),
                    "question sans réponse non enregistrée")
            records.append(record_id)
            replies.append(self._talk_render(conversation, answer, record_id))
        now = self.clock()
        remembered = next_context(context.fresh(now, self.content.followups,
                                                self.content.talk.picks.minutes),
                                  answers, records, now, self.content.faq)
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

    def reply(self, question: str, context: Context | None = None) -> list[Answer]:
        """All answers to one message: small talk, a typed pick of the pending suggestions
        ("la 2"), each question of the message, follow-ups on the remembered subject."""
        content = self.content
        context = (context or Context()).fresh(self.clock(), content.followups,
                                               content.talk.picks.minutes)
        if context.pending is not None:
            picked = self._picked(question, context.pending)
            if picked is not None:
                return [picked]
        message = talk.read(question, content.talk)
        if not message.questions and not message.small_talk:
            return [self._answer_text(question)]
        answers: list[Answer] = []
        subject = context.subject
        for part in message.questions:
            for answer in self._answer_part(part, subject):
                if any(same_answer(answer, earlier) for earlier in answers):
                    continue          # "… ? c'est l'ANCT ?": one answer is enough
                if message.small_talk and answer.kind not in CONFIDENT and \
                        not talk.asks(part):
                    continue          # "Bonjour, je vous écris de la part du maire."
                answers.append(answer)
                subject = subject_of(answer, self.clock(), content.faq)
        if not answers:
            main, prefix = talk.reply_of(message.small_talk, content.talk)
            return [Answer(kind="smalltalk", text=main.reply or COMMAND_TEXTS[main.command or ""],
                           intent=main.id, prefix=prefix, question=question)]
        prefix = talk.prefix_of(message.small_talk, content.talk)
        if prefix:
            answers[0] = replace(answers[0], prefix=prefix)
        return answers

    def _answer_text(self, text: str) -> Answer:
        return replace(self.answer(text), question=text)

    def _answer_part(self, part: str, subject: Subject | None) -> list[Answer]:
        """One question of a message: a follow-up, two questions joined by "et", or one."""
        if subject is not None:
            follow = followup.read(part, self.content.followups, self.content.params)
            if follow is not None:
                return [self._follow_up(part, follow, subject)]
        halves = talk.and_split(part)
        if halves is not None:
            first, second = (self._answer_text(half) for half in halves)
            if first.kind in CONFIDENT and second.kind in CONFIDENT and \
                    (first.kind, first.entry_id) != (second.kind, second.entry_id):
                return [first, second]
        return [self._answer_text(part)]

    def _follow_up(self, part: str, follow: followup.FollowUp, subject: Subject) -> Answer:
        """A follow-up: the computation again with the changed slots, or the last question
        completed by the follow-up's words; the follow-up alone when it says more."""
        params = self.content.params
        if subject.kind == "compute" and follow.slot_only:
            slots = followup.merge(subject.slots, follow.slots, self.content.followups.slots)
            request = followup.build_request(slots, params)
            if request is not None:
                return Answer(kind="compute", text=quick_answer(request, params),
                              request=request, question=part)
        text = followup.combined(subject, follow)
        if follow.slot_only and text is not None:
            return self._answer_text(text[:MAX_QUESTION_LENGTH])
        alone = self._answer_text(part)
        if alone.kind in CONFIDENT or subject.kind != "faq" or text is None:
            return alone
        both = self._answer_text(text[:MAX_QUESTION_LENGTH])
        return both if both.kind in CONFIDENT else alone

    def _picked(self, text: str, pending: followup.Pending) -> Answer | None:
        """The suggestion a typed "oui", "la 2", "la dernière" picks ("non": none of them)."""
        rank = talk.pick(text, self.content.talk)
        if rank is None:
            return None
        if rank == talk.NONE:
            return Answer(kind="smalltalk", text=messages.NONE_CHOSEN, intent=NONE_PICKED,
                          chosen=pending.record, question=text)
        index = len(pending.entries) - 1 if rank == talk.LAST else rank - 1
        if not 0 <= index < len(pending.entries) or pending.entries[index] not in self.content.faq:
            return None
        entry = self.content.faq[pending.entries[index]]
        return Answer(kind="faq", text=entry.answer, entry_id=entry.id,
                      source=self.content.params.cite(entry.sources), question=entry.question,
                      chosen=pending.record)

    def _talk_render(self, conversation: Conversation, answer: Answer,
                     record_id: int | None) -> Outgoing:
        """An answer as a reply, small talk included, with its prefix."""
        reply = self._render(answer, record_id)
        if answer.kind == "smalltalk":
            intent = next((i for i in self.content.talk.intents if i.id == answer.intent), None)
            command = intent.command if intent else None
            if command == "aide" and self.is_admin(conversation):
                reply = Outgoing(text=answer.text + messages.ADMIN_HELP)
            elif command == "menu" or answer.intent == NONE_PICKED:
                reply = self._menu_reply(answer.text)
        if answer.prefix:
            reply = replace(reply, text=f"{answer.prefix}\n\n{reply.text}")
        return reply

    def answer(self, question: str) -> Answer:
        """Answer a free question: a computation, an FAQ entry, suggestions, or the fallback."""
        params = self.content.params
        request = quick_read(question, params)
        if request is not None:
            return Answer(kind="compute", text=quick_answer(request, params), request=request)
        match = self._match(question)
        best = match.best
        if match.band == "answer" and best is not None:
            title = None if match.exact else best.entry.question
            text = titled(best.entry.answer, title)
            return Answer(kind="faq", text=text,
                          entry_id=best.entry.id, score=best.score, title=title,
                          source=params.cite(best.entry.sources), match=match)
        if match.band == "suggest":
            return Answer(kind="suggest", text=messages.SUGGEST,
                          score=best.score if best else None,
                          suggestions=tuple((c.entry.id, c.entry.question)
                                            for c in match.candidates), match=match)
        return Answer(kind="fallback", text=messages.FALLBACK,
                      score=best.score if best else None, match=match)

    def _match(self, question: str) -> Match:
        """Match the whole text; if unsure, only its questions (a context sentence dilutes)."""
        match = self.content.matcher.match(question)
        asked = talk.question_sentences(question)
        if match.band == "answer" or asked == question:
            return match
        focused = self.content.matcher.match(asked)
        return focused if focused.band == "answer" else match

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
            return self._faq_reply(answer.entry_id, answer.title)
        if answer.kind == "suggest":
            rows = [(Button(question, f"s:{record_id or 0}:{entry_id}"),)
                    for entry_id, question in answer.suggestions]
            rows.append((Button(messages.NONE_OF_THESE, f"n:{record_id or 0}"),))
            return Outgoing(text=answer.text, buttons=tuple(rows))
        if answer.kind == "fallback":
            return self._menu_reply(answer.text)
        if answer.kind == "smalltalk":
            return Outgoing(text=answer.text)
        buttons = [Button(messages.MENU_BUTTON, "m")]
        if answer.request is not None and SIMULATION_FLOW in self.content.flows:
            buttons.insert(0, Button(messages.REFINE_SIMULATION,
                                     refine_button(answer.request).pack()))
        return Outgoing(text=answer.text, buttons=(tuple(buttons),))

    def _faq_reply(self, entry_id: str, title: str | None = None) -> Outgoing:
        """An entry's answer (under the question it answers, if given) and its « Voir aussi »."""
        entry = self.content.faq[entry_id]
        rows = tuple((Button(self.content.faq[other].question, f"f:{other}"),)
                     for other in entry.see_also)
        text = titled(entry.answer, title) + (f"\n\n{messages.SEE_ALSO}" if rows else "")
        return Outgoing(text=text, buttons=rows)

    def menu_reply(self, text: str) -> Outgoing:
        """`text` with the menu's buttons."""
        return self._menu_reply(text)

    def _menu_reply(self, text: str) -> Outgoing:
        buttons = []
        for item in self.content.menu:
            payload = f"f:{item.faq}" if item.faq else f"c:{item.command}"
            buttons.append(Button(item.label, payload))
        rows = tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))
        return Outgoing(text=text, buttons=rows)

    async def _button(self, conversation: Conversation, payload: str) -> list[Outgoing]:
        if payload.startswith("w:"):
            # a malformed flow button is treated like a stale one (seq -1 never matches)
            flow_button = FlowButton.unpack(payload) or FlowButton(-1, "b")
            try:
                return await self._flow_button(conversation, flow_button)
            except (ValueError, TypeError, KeyError, RuntimeError):
                return await self._reset_broken_flow(conversation, await self._row(conversation))
        refine = RefineButton.unpack(payload)
        if refine is not None and SIMULATION_FLOW in self.content.flows:
            return await self._refine(conversation, refine)
        kind, _, value = payload.partition(":")
        if kind == "f" and value in self.content.faq:
            return await self._then_flow(conversation, [self._faq_reply(value)])
        if kind == "m" and not value:
            return [self._menu_reply(messages.MENU)]
        if kind == "c" and value in self.commands:
            return await self.commands[value](conversation, "")
        if kind == "s":
            record, _, entry_id = value.partition(":")
            record_id = payload_number(record)
            if record_id is not None and entry_id in self.content.faq:
                await self.store.set_unanswered_outcome(record_id, conversation.chat_id,
                                                        f"chosen:{entry_id}")
                return await self._then_flow(conversation, [self._faq_reply(entry_id)])
        if kind == "r":
            return await self.reminder_chat.button(conversation, value)
        replies = None
        if kind == "o":
            replies = await self.privacy.button(conversation, value)
        elif kind == "d" and self.is_admin(conversation):
            replies = await self.admin.button(conversation, value)
        if replies is not None:
            return replies
        none_of_record = payload_number(value) if kind == "n" else None
        if none_of_record is not None:
            await self.store.set_unanswered_outcome(none_of_record, conversation.chat_id, "none")
            return [self._menu_reply(messages.NONE_CHOSEN)]
        return [self._menu_reply(messages.STALE_BUTTON + " " + messages.MENU)]

    # --- flows --------------------------------------------------------------------------

    def _env(self, answers: Mapping[str, object] | None = None) -> RuleEnv:
        """Rules' environment: parameters and today's date in the territory's time zone."""
        zone = self.zone
        for value in (answers or {}).values():
            if isinstance(value, str) and value in self.content.params.territories:
                zone = self.content.params.territories[value].zone
        now = self.clock()
        return RuleEnv(params=self.content.params, today=now.astimezone(zone).date(), now=now)

    async def _row(self, conversation: Conversation) -> ConversationRow:
        row = await self.store.conversation(conversation.chat_id, conversation.user_id)
        return row or ConversationRow(seq=0)

    def _flow_command(self, flow_id: str) -> Handler:
        async def begin(conversation: Conversation, args: str) -> list[Outgoing]:
            return await self.start_flow(conversation, flow_id)
        return begin

    async def start_flow(self, conversation: Conversation, flow_id: str,
                         prefill: Mapping[str, object] | None = None) -> list[Outgoing]:
        """Begin a flow (questions answered by `prefill` are passed)."""
        row = await self._row(conversation)
        flow = self.content.flows[flow_id]
        self._event(conversation, "flow_started")
        return await self._apply(conversation, row.seq, flow,
                                 dialog.start(flow, self._env(prefill), prefill))  # type: ignore[arg-type]

    async def _refine(self, conversation: Conversation, refine: RefineButton) -> list[Outgoing]:
        params = self.content.params
        limit = int(params.value("nombre_conseillers"))
        if (refine.posts is not None and not 1 <= refine.posts <= limit) or \
                (refine.territory is not None and refine.territory not in params.territories):
            return [self._menu_reply(messages.STALE_BUTTON + " " + messages.MENU)]
        flow = self.content.flows[SIMULATION_FLOW]
        prefill = simulation_prefill(flow, refine, self.content.params.territories)
        row = await self._row(conversation)
        self._event(conversation, "flow_started")
        return await self._apply(conversation, row.seq, flow,
                                 dialog.start(flow, self._env(prefill), prefill))

    async def _cancel_command(self, conversation: Conversation, args: str) -> list[Outgoing]:
        row = await self._row(conversation)
        flow = self.content.flows.get(row.flow_id or "")
        if flow is None:
            return [self._menu_reply(messages.NOTHING_TO_CANCEL + " " + messages.MENU)]
        return await self._apply(conversation, row.seq, flow,
                                 Turn(state=None, screens=(), outcome="cancelled"))

    async def _resume_command(self, conversation: Conversation, args: str) -> list[Outgoing]:
        row = await self._row(conversation)
        if row.flow_id is None:
            return [self._menu_reply(messages.NOTHING_TO_RESUME)]
        try:
            return await self._current(conversation, row)
        except (ValueError, TypeError, KeyError, RuntimeError):
            return await self._reset_broken_flow(conversation, row)

    async def _current(self, conversation: Conversation, row: ConversationRow,
                       note: str | None = None, *, replace: bool = False) -> list[Outgoing]:
        """The current screen of the active flow again (or why it cannot continue)."""
        flow = self.content.flows.get(row.flow_id or "")
        if flow is None:
            await self._save(conversation, ConversationRow(seq=row.seq + 1))
            return [self._menu_reply(messages.FLOW_GONE)]
        state = state_of(row)
        if row.flow_version != flow.version:
            return await self._version_notice(conversation, row, flow, state)
        state, screen = dialog.screen_at(flow, self._env(state.answers), state)
        if note:
            screen = Screen(text=f"{note}\n\n{screen.text}", actions=screen.actions)
        return await self._apply(conversation, row.seq, flow,
                                 Turn(state=state, screens=(screen,)), replace=replace)

    async def _version_notice(self, conversation: Conversation, row: ConversationRow,
                              flow: Flow, state: FlowState) -> list[Outgoing]:
        can_continue = state.step in flow.steps
        text = messages.FLOW_UPDATED.format(title=html.escape(flow.title, quote=False)) + \
            "\n" + (messages.FLOW_UPDATED_CONTINUE if can_continue
                    else messages.FLOW_UPDATED_RESTART_ONLY)
        actions = [dialog.Action(messages.CONTINUE, "r")] if can_continue else []
        actions += [dialog.Action(messages.RESTART, "z"), dialog.Action(messages.CANCEL, "x")]
        seq = row.seq + 1
        await self._save(conversation, ConversationRow(
            seq=seq, flow_id=row.flow_id, flow_version=row.flow_version, step=row.step,
            answers=row.answers, history=row.history, editing=row.editing))
        return self._outgoing((Screen(text=text, actions=(tuple(actions),)),), seq)

    async def _flow_text(self, conversation: Conversation, row: ConversationRow,
                         text: str) -> list[Outgoing] | None:
        """A text while a flow is active; None when the flow does not take it (recap)."""
        flow = self.content.flows.get(row.flow_id or "")
        if flow is None or row.flow_version != flow.version:
            return await self._current(conversation, row)
        state = state_of(row)
        if not dialog.accepts_text(flow, state):
            return None
        env = self._env(state.answers)
        parsed = dialog.try_text(flow, env, state, text)
        if not isinstance(parsed, InvalidValue):
            return await self._apply(conversation, row.seq, flow,
                                     dialog.answer(flow, env, state, parsed))
        if looks_like_question(text) and len(text) <= MAX_QUESTION_LENGTH:
            replies = await self._question(conversation, text)
            note = messages.QUESTION_DURING_FLOW.format(
                title=html.escape(flow.title, quote=False))
            return replies + await self._current(conversation, row, note)
        state, screen = dialog.screen_at(flow, env, state, parsed.message)
        return await self._apply(conversation, row.seq, flow,
                                 Turn(state=state, screens=(screen,)))

    async def _flow_button(self, conversation: Conversation,
                           button: FlowButton) -> list[Outgoing]:
        row = await self._row(conversation)
        flow = self.content.flows.get(row.flow_id or "")
        if row.flow_id is None:
            return [self._menu_reply(messages.STALE_BUTTON + " " + messages.MENU)]
        if flow is None or button.seq != row.seq:
            return await self._current(conversation, row, messages.STALE_FLOW_BUTTON)
        state = state_of(row)
        if row.flow_version != flow.version:
            turn: Turn | None = None
            if button.code == "r" and state.step in flow.steps:
                turn = dialog.migrate(flow, self._env(state.answers), state)
            elif button.code == "z":
                turn = dialog.start(flow, self._env())
                self._event(conversation, "flow_started")
            elif button.code == "x":
                turn = Turn(state=None, screens=(), outcome="cancelled")
            if turn is None:
                return await self._current(conversation, row)
            return await self._apply(conversation, row.seq, flow, turn, replace=True)
        if button.code in DOCUMENT_KINDS:
            return await self._document(conversation, row, flow, state, button.code)
        turn = dialog.press(flow, self._env(state.answers), state, button.code)
        if turn is None:
            return await self._current(conversation, row, messages.STALE_FLOW_BUTTON)
        navigation = button.code == "b" or button.code.startswith("e")
        return await self._apply(conversation, row.seq, flow, turn, replace=navigation)

    async def _document(self, conversation: Conversation, row: ConversationRow, flow: Flow,
                        state: FlowState, code: str) -> list[Outgoing]:
        """A file of the recap (PDF, chart, délibération); the recap stays as it is."""
        env = self._env(state.answers)
        state, _ = dialog.screen_at(flow, env, state)
        kind = DOCUMENT_KINDS[code]
        step = flow.steps[state.step]
        if not step.terminal or kind not in step.documents or \
                kind not in dict(offered(state.answers)):
            return await self._current(conversation, row, messages.STALE_FLOW_BUTTON)
        document = await asyncio.to_thread(render, kind, self.content.params, state.answers,
                                           today=env.today)
        return [Outgoing(text=html.escape(document.caption, quote=False),
                         file=Attachment(filename=document.filename, data=document.data,
                                         kind=document.kind))]

    async def _then_flow(self, conversation: Conversation,
                         replies: list[Outgoing]) -> list[Outgoing]:
        """Replies to a side question, then the active flow's question again, if any."""
        row = await self._row(conversation)
        flow = self.content.flows.get(row.flow_id or "")
        if flow is None or not dialog.accepts_text(flow, state_of(row)):
            return replies
        note = messages.QUESTION_DURING_FLOW.format(title=html.escape(flow.title, quote=False))
        try:
            return replies + await self._current(conversation, row, note)
        except (ValueError, TypeError, KeyError, RuntimeError):
            return replies + await self._reset_broken_flow(conversation, row)

    async def _apply(self, conversation: Conversation, seq: int, flow: Flow, turn: Turn, *,
                     replace: bool = False) -> list[Outgoing]:
        """Save the turn's state (the next turn number), then show its screens."""
        seq += 1
        title = html.escape(flow.title, quote=False)
        if turn.state is None and turn.outcome == "finished":
            self._event(conversation, "flow_completed")
        if turn.state is None and turn.action is not None:
            await self._save(conversation, ConversationRow(seq=seq))
            return await self.actions[turn.action](conversation, turn.values)
        if turn.state is None:
            await self._save(conversation, ConversationRow(seq=seq))
            text = {"cancelled": messages.FLOW_CANCELLED,
                    "finished": messages.FLOW_FINISHED,
                    "left": messages.FLOW_LEFT}.get(turn.outcome, messages.FLOW_LEFT)
            return [self._menu_reply(text.format(title=title, command=flow.id) + "\n"
                                     + messages.MENU)]
        state = turn.state
        await self._save(conversation, ConversationRow(
            seq=seq, flow_id=state.flow_id, flow_version=state.version, step=state.step,
            answers=dict(state.answers), history=state.history, editing=state.editing))
        await self._remember_territory(conversation, state.answers)
        return self._outgoing(turn.screens, seq, replace=replace)

    async def _remember_territory(self, conversation: Conversation,
                                  answers: Mapping[str, object]) -> None:
        """A territory answered in any flow becomes the chat's (for /rappels' time zone)."""
        if "territoire" not in answers:
            return
        try:
            territory = territory_of(self.content.params, answers)
        except ValueError:  # "autre" not answered yet
            return
        chat = conversation.chat_id
        if await self.reminders.known_territory(chat) != territory.id:
            await self.reminders.remember_territory(chat, territory.id, self.clock())

    def _event(self, conversation: Conversation, kind: str) -> None:
        """Count a usage event for /stats (bot/storage/events.py: written in batches)."""
        self.store.events.add(conversation.chat_id, kind, self.clock())

    async def _save(self, conversation: Conversation, row: ConversationRow) -> None:
        await self.store.save_conversation(conversation.chat_id, conversation.user_id, row,
                                           self.clock())

    def _outgoing(self, screens: tuple[Screen, ...], seq: int, *,
                  replace: bool = False) -> list[Outgoing]:
        replies = []
        for screen in screens:
            rows = tuple(tuple(Button(a.label, FlowButton(seq, a.code).pack()) for a in row)
                         for row in screen.actions)
            chunks = split_text(screen.text)
            for index, chunk in enumerate(chunks):
                last = index == len(chunks) - 1
                replies.append(Outgoing(text=chunk, buttons=rows if last else (),
                                        replace=replace and not replies))
        return replies


def titled(answer: str, title: str | None) -> str:
    """An answer under the question it answers, in bold (when a title is given)."""
    return f"<b>{html.escape(title, quote=False)}</b>\n{answer}" if title else answer


def same_answer(one: Answer, other: Answer) -> bool:
    """Do two answers say the same (the same entry, or the same computed text)?"""
    return one.kind == other.kind and one.kind in CONFIDENT and \
        (one.entry_id, one.text) == (other.entry_id, other.text)


def subject_of(answer: Answer, now: dt.datetime,
               faq: Mapping[str, FaqEntry]) -> Subject | None:
    """What a follow-up to this answer builds on: the FAQ entry's own question, or the
    computation's slots (never the user's words: see README, « Données personnelles »);
    None when the answer has no subject (small talk, suggestions, fallback)."""
    if answer.kind == "compute" and answer.request is not None:
        return Subject(kind="compute", question="", at=now,
                       slots=followup.request_slots(answer.request))
    if answer.kind == "faq" and answer.entry_id in faq:
        return Subject(kind="faq", question=faq[answer.entry_id].question, at=now)
    return None


def next_context(context: Context, answers: list[Answer], records: list[int | None],
                 now: dt.datetime, faq: Mapping[str, FaqEntry]) -> Context:
    """What the conversation remembers after these answers: the last subject, and the
    suggestions just shown (a pick, or any other answer, forgets the previous ones)."""
    subject, pending = context.subject, context.pending
    for answer, record in zip(answers, records, strict=True):
        if answer.kind != "smalltalk":     # a new question, answered or not, is the subject
            subject = subject_of(answer, now, faq)
        if answer.kind == "suggest" and record is not None:
            pending = followup.Pending(record=record, entries=tuple(
                entry_id for entry_id, _ in answer.suggestions), at=now)
        elif answer.kind != "smalltalk" or answer.chosen is not None:
            pending = None
    return Context(subject=subject, pending=pending)


def state_of(row: ConversationRow) -> FlowState:
    """The flow state stored in a conversation row."""
    return FlowState(flow_id=row.flow_id or "", version=row.flow_version or 0,
                     step=row.step or "", answers=row.answers, history=row.history,
                     editing=row.editing)


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


def refine_button(request: QuickRequest) -> RefineButton:
    """The "Affiner la simulation" button of a quick computation."""
    territory = request.territories[0].id if len(request.territories) == 1 else None
    posts = request.posts if request.posts_given and request.posts > 0 else None
    return RefineButton(posts, territory,
                        request.structure)


def simulation_prefill(flow: Flow, refine: RefineButton,
                       territories: Mapping[str, object]) -> dict[str, object]:
    """Answers of the simulation flow known from a quick computation."""
    prefill: dict[str, object] = {}
    if refine.posts:
        prefill["postes"] = refine.posts
    if refine.territory:
        prefill.update(territory_prefill(flow, refine.territory, territories))
    structure = flow.step_of("structure")
    if refine.structure and structure is not None and structure.option(refine.structure):
        prefill["structure"] = refine.structure
    return prefill


def territory_prefill(flow: Flow, territory: str,
                      territories: Mapping[str, object]) -> dict[str, object]:
    """The answers of a flow's territory questions that give `territory` (or none)."""
    where, other = flow.step_of("territoire"), flow.step_of("territoire_autre")
    if territory not in territories or where is None:
        return {}
    if where.option(territory):
        return {"territoire": territory}
    if other is not None and other.option(territory) and where.option(OTHER_TERRITORY):
        return {"territoire": OTHER_TERRITORY, "territoire_autre": territory}
    return {}
