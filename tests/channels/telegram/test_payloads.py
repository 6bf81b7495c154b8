"""Every button the assistant can show fits Telegram's 64-byte callback data: found by walking
the real content with the engine (commands, menu, FAQ links, suggestions, every step of every
flow reached by pressing its buttons or typing a sample value)."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path

import yaml

from bot.app import build_assistant
from bot.assistant import Assistant
from bot.content.loader import Content
from bot.core.callbacks import MAX_CALLBACK_BYTES, FlowButton
from bot.core.config import ROOT
from bot.core.replies import Conversation, Incoming, Outgoing
from bot.dialogue.model import StepKind
from bot.storage.store import Store
from tests.support.chat import FIXED_NOW

QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
SAMPLES = {StepKind.INT: "2", StepKind.DATE: "01/03/2021", StepKind.EUROS: "2000",
           StepKind.PERCENT: "40"}
Path_ = tuple[Incoming, ...]
MAX_NODES = 3000


class Walker:
    """Breadth-first walk: each path is replayed in a conversation of its own."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.users = iter(range(1, 10**9))
        self.payloads: dict[str, str] = {}  # payload -> the label it was shown with
        self.seen: set[object] = set()
        self.pressed: set[str] = set()  # buttons outside flows, row ids left out
        self.steps: set[tuple[str, str]] = set()
        self.queue: deque[Path_] = deque()

    async def replay(self, path: Path_) -> tuple[Conversation, list[Outgoing]]:
        user = next(self.users)
        conversation = Conversation(user, user)  # a chat of its own: nothing known yet
        replies: list[Outgoing] = []
        for incoming in path:
            replies = await self.assistant.handle(conversation, incoming)
        return conversation, replies

    async def visit(self, path: Path_) -> None:
        conversation, replies = await self.replay(path)
        row = await self.assistant.store.conversation(conversation.chat_id,
                                                      conversation.user_id)
        in_flow = row is not None and row.flow_id is not None
        if in_flow:
            assert row is not None and row.flow_id is not None and row.step is not None
            self.steps.add((row.flow_id, row.step))
            key: object = (row.flow_id, row.step, row.editing)
        else:
            key = path[-1]
        if key in self.seen:
            return
        self.seen.add(key)
        for reply in replies:
            for button in (b for line in reply.buttons for b in line):
                self.payloads[button.payload] = button.label
                shape = re.sub(r"\d+", "#", button.payload)
                if in_flow or (FlowButton.unpack(button.payload) is None and
                               shape not in self.pressed):
                    self.pressed.add(shape)
                    self.queue.append((*path, Incoming.button(button.payload)))
        if in_flow:
            assert row is not None and row.flow_id is not None and row.step is not None
            step = self.assistant.content.flows[row.flow_id].steps[row.step]
            if step.kind in SAMPLES:
                self.queue.append((*path, Incoming.text(SAMPLES[step.kind])))

    async def run(self, starts: list[Path_]) -> None:
        self.queue.extend(starts)
        visited = 0
        while self.queue:
            visited += 1
            assert visited <= MAX_NODES, "the walk does not end: check its dedupe key"
            await self.visit(self.queue.popleft())


async def test_every_reachable_button_fits_in_64_bytes(content: Content, tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "walk.sqlite3")
    try:
        walker = Walker(build_assistant(content, store, clock=lambda: FIXED_NOW))
        questions = [q["q"] for q in yaml.safe_load(QUESTIONS.read_text())["questions"]]
        starts: list[Path_] = [(Incoming.text(f"/{name}"),)
                               for name in walker.assistant.registry.commands]
        starts += [(Incoming.text(q),) for q in questions]
        starts += [(Incoming.button(f"f:{entry}"),) for entry in content.faq]  # every answer
        starts += [(Incoming.text("quelque chose sans rapport"),)]
        await walker.run(starts)
    finally:
        await store.close()

    too_long = {p: label for p, label in walker.payloads.items()
                if len(p.encode()) > MAX_CALLBACK_BYTES}
    assert too_long == {}
    # The walk really went everywhere: every step of every flow, every FAQ entry.
    every_step = {(flow.id, step) for flow in content.flows.values() for step in flow.steps
                  if flow.steps[step].kind not in (StepKind.COMPUTE, StepKind.MESSAGE)}
    assert every_step <= walker.steps, sorted(every_step - walker.steps)
    assert {Incoming.button(f"f:{entry}") for entry in content.faq} <= walker.seen
    kinds = {p.split(":")[0] for p in walker.payloads}
    assert {"f", "s", "n", "w", "q", "r"} <= kinds


def test_suggestion_payloads_keep_fitting_as_records_grow(content: Content) -> None:
    """A suggestion carries the unanswered question's row id: fine up to a billion rows."""
    longest = max(content.faq, key=lambda entry: len(entry.encode()))
    assert len(f"s:{10**9}:{longest}".encode()) <= MAX_CALLBACK_BYTES
