"""The flows as a feature: one command per flow, typed answers and buttons of the active
flow, its documents, /annuler and /reprendre, and the quick computation's "refine" button."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, ClassVar

from bot.core import messages
from bot.core.callbacks import SIMULATION_FLOW, FlowButton, RefineButton
from bot.core.registry import BoundCommand, ButtonRoute, Command, Handler
from bot.core.replies import Attachment, Button, Conversation, Outgoing, split_text
from bot.dialogue import turns as dialog
from bot.dialogue.model import Flow
from bot.dialogue.refine import simulation_prefill
from bot.dialogue.turns import FlowState, Screen, Turn
from bot.documents.files import CODES as DOCUMENT_KINDS
from bot.documents.files import offered, render
from bot.programme.flowrules import RuleEnv
from bot.programme.values import InvalidValue
from bot.storage.store import ConversationRow

if TYPE_CHECKING:
    from bot.content.loader import Content
    from bot.core.host import Host

log = logging.getLogger(__name__)

# Told each time a flow's answers change (the reminders remember the chat's territory).
AnswersListener = Callable[[Conversation, Mapping[str, object]], Awaitable[None]]
BROKEN = (ValueError, TypeError, KeyError, RuntimeError)  # a stored state that cannot replay


class DialogueFeature:
    """The active flow of each conversation, stored turn by turn."""

    name: ClassVar[str] = "questionnaires"
    commands: ClassVar[tuple[Command, ...]] = (
        Command("reprendre", "resume_command", "revenir à la question en cours"),
        Command("annuler", "cancel_command", "abandonner le questionnaire en cours"),
    )
    buttons: ClassVar[tuple[ButtonRoute, ...]] = (
        ButtonRoute("w", "flow_button"), ButtonRoute("q", "refine_button"))
    actions: ClassVar[dict[str, str]] = {}

    def __init__(self, host: Host) -> None:
        self.host = host
        self.store = host.store
        self.answers_listeners: list[AnswersListener] = []

    def flow_commands(self, content: Content, skip: frozenset[str]) -> list[BoundCommand]:
        """One command per flow (/eligibilite…), but those another feature drives (`skip`)."""
        return [BoundCommand(flow.id, self._flow_command(flow.id), flow.help or flow.title,
                             False, self.name)
                for flow in content.flows.values() if flow.id not in skip]

    async def take_text(self, conversation: Conversation, text: str) -> list[Outgoing] | None:
        """A text for the active flow; None when there is none or it does not take it."""
        row = await self.store.conversation(conversation.chat_id, conversation.user_id)
        if row is None or row.flow_id is None:
            return None
        try:
            return await self._flow_text(conversation, row, text)
        except BROKEN:
            return await self._reset_broken_flow(conversation, row)

    async def flow_button(self, conversation: Conversation, value: str) -> list[Outgoing]:
        """"w:<seq>:<code>"; a malformed one is treated like a stale one (seq -1 never
        matches)."""
        flow_button = FlowButton.unpack("w:" + value) or FlowButton(-1, "b")
        try:
            return await self._flow_button(conversation, flow_button)
        except BROKEN:
            return await self._reset_broken_flow(conversation, await self._row(conversation))

    async def refine_button(self, conversation: Conversation, value: str) -> list[Outgoing] | None:
        """"q:…": the simulation, with what the quick computation knew."""
        refine = RefineButton.unpack("q:" + value)
        if refine is None or SIMULATION_FLOW not in self.host.content.flows:
            return None
        return await self._refine(conversation, refine)

    async def _reset_broken_flow(self, conversation: Conversation,
                                 row: ConversationRow) -> list[Outgoing]:
        """A stored flow state that cannot be replayed: log it, forget it, say so."""
        log.exception("flow state of %s cannot be replayed: %r", conversation, row)
        await self._save(conversation, ConversationRow(seq=row.seq + 1))
        return [self.host.menu_reply(messages.FLOW_BROKEN)]

    def _env(self, answers: Mapping[str, object] | None = None) -> RuleEnv:
        """Rules' environment: parameters and today's date in the territory's time zone."""
        zone = self.host.zone
        for value in (answers or {}).values():
            if isinstance(value, str) and value in self.host.content.params.territories:
                zone = self.host.content.params.territories[value].zone
        now = self.host.clock()
        return RuleEnv(params=self.host.content.params, today=now.astimezone(zone).date(), now=now)

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
        flow = self.host.content.flows[flow_id]
        self.host.event(conversation, "flow_started")
        return await self._apply(conversation, row.seq, flow,
                                 dialog.start(flow, self._env(prefill), prefill))  # type: ignore[arg-type]

    async def _refine(self, conversation: Conversation, refine: RefineButton) -> list[Outgoing]:
        params = self.host.content.params
        limit = int(params.value("nombre_conseillers"))
        if (refine.posts is not None and not 1 <= refine.posts <= limit) or \
                (refine.territory is not None and refine.territory not in params.territories):
            return [self.host.menu_reply(messages.STALE_BUTTON + " " + messages.MENU)]
        flow = self.host.content.flows[SIMULATION_FLOW]
        prefill = simulation_prefill(flow, refine, self.host.content.params.territories)
        row = await self._row(conversation)
        self.host.event(conversation, "flow_started")
        return await self._apply(conversation, row.seq, flow,
                                 dialog.start(flow, self._env(prefill), prefill))

    async def cancel_command(self, conversation: Conversation, args: str) -> list[Outgoing]:
        row = await self._row(conversation)
        flow = self.host.content.flows.get(row.flow_id or "")
        if flow is None:
            return [self.host.menu_reply(messages.NOTHING_TO_CANCEL + " " + messages.MENU)]
        return await self._apply(conversation, row.seq, flow,
                                 Turn(state=None, screens=(), outcome="cancelled"))

    async def resume_command(self, conversation: Conversation, args: str) -> list[Outgoing]:
        row = await self._row(conversation)
        if row.flow_id is None:
            return [self.host.menu_reply(messages.NOTHING_TO_RESUME)]
        try:
            return await self._current(conversation, row)
        except BROKEN:
            return await self._reset_broken_flow(conversation, row)

    async def _current(self, conversation: Conversation, row: ConversationRow,
                       note: str | None = None, *, replace: bool = False) -> list[Outgoing]:
        """The current screen of the active flow again (or why it cannot continue)."""
        flow = self.host.content.flows.get(row.flow_id or "")
        if flow is None:
            await self._save(conversation, ConversationRow(seq=row.seq + 1))
            return [self.host.menu_reply(messages.FLOW_GONE)]
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
        flow = self.host.content.flows.get(row.flow_id or "")
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
        replies = await self.host.answer_question(conversation, text)
        if replies is not None:
            note = messages.QUESTION_DURING_FLOW.format(
                title=html.escape(flow.title, quote=False))
            return replies + await self._current(conversation, row, note)
        state, screen = dialog.screen_at(flow, env, state, parsed.message)
        return await self._apply(conversation, row.seq, flow,
                                 Turn(state=state, screens=(screen,)))

    async def _flow_button(self, conversation: Conversation,
                           button: FlowButton) -> list[Outgoing]:
        row = await self._row(conversation)
        flow = self.host.content.flows.get(row.flow_id or "")
        if row.flow_id is None:
            return [self.host.menu_reply(messages.STALE_BUTTON + " " + messages.MENU)]
        if flow is None or button.seq != row.seq:
            return await self._current(conversation, row, messages.STALE_FLOW_BUTTON)
        state = state_of(row)
        if row.flow_version != flow.version:
            turn: Turn | None = None
            if button.code == "r" and state.step in flow.steps:
                turn = dialog.migrate(flow, self._env(state.answers), state)
            elif button.code == "z":
                turn = dialog.start(flow, self._env())
                self.host.event(conversation, "flow_started")
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
        document = await asyncio.to_thread(render, kind, self.host.content.params, state.answers,
                                           today=env.today)
        return [Outgoing(text=html.escape(document.caption, quote=False),
                         file=Attachment(filename=document.filename, data=document.data,
                                         kind=document.kind))]

    async def then_flow(self, conversation: Conversation,
                         replies: list[Outgoing]) -> list[Outgoing]:
        """Replies to a side question, then the active flow's question again, if any."""
        row = await self._row(conversation)
        flow = self.host.content.flows.get(row.flow_id or "")
        if flow is None or not dialog.accepts_text(flow, state_of(row)):
            return replies
        note = messages.QUESTION_DURING_FLOW.format(title=html.escape(flow.title, quote=False))
        try:
            return replies + await self._current(conversation, row, note)
        except BROKEN:
            return replies + await self._reset_broken_flow(conversation, row)

    async def _apply(self, conversation: Conversation, seq: int, flow: Flow, turn: Turn, *,
                     replace: bool = False) -> list[Outgoing]:
        """Save the turn's state (the next turn number), then show its screens."""
        seq += 1
        title = html.escape(flow.title, quote=False)
        if turn.state is None and turn.outcome == "finished":
            self.host.event(conversation, "flow_completed")
        if turn.state is None and turn.action is not None:
            await self._save(conversation, ConversationRow(seq=seq))
            return await self.host.run_action(turn.action, conversation, turn.values)
        if turn.state is None:
            await self._save(conversation, ConversationRow(seq=seq))
            text = {"cancelled": messages.FLOW_CANCELLED,
                    "finished": messages.FLOW_FINISHED,
                    "left": messages.FLOW_LEFT}.get(turn.outcome, messages.FLOW_LEFT)
            return [self.host.menu_reply(text.format(title=title, command=flow.id) + "\n"
                                     + messages.MENU)]
        state = turn.state
        await self._save(conversation, ConversationRow(
            seq=seq, flow_id=state.flow_id, flow_version=state.version, step=state.step,
            answers=dict(state.answers), history=state.history, editing=state.editing))
        for listener in self.answers_listeners:
            await listener(conversation, state.answers)
        return self._outgoing(turn.screens, seq, replace=replace)

    async def _save(self, conversation: Conversation, row: ConversationRow) -> None:
        await self.store.save_conversation(conversation.chat_id, conversation.user_id, row,
                                           self.host.clock())

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


def state_of(row: ConversationRow) -> FlowState:
    """The flow state stored in a conversation row."""
    return FlowState(flow_id=row.flow_id or "", version=row.flow_version or 0,
                     step=row.step or "", answers=row.answers, history=row.history,
                     editing=row.editing)
