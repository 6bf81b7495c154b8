"""Transcripts (tests/dialogue/transcripts/*.yaml): user says or presses → bot says, shows buttons.

Each turn has `say` (typed text) or `press` (a button label), then any of: `expect` and
`not_expect` (substrings of the plain text of every reply), `buttons` (all labels, in order),
`buttons_include`, `replace` (of the first reply), `step` (stored step; null once the flow is
over) and `answers` (stored answers, a subset). Texts are compared without HTML and with plain
spaces. Together, the transcripts must walk every step and every branch of every flow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import build_assistant
from bot.channels.console import plain
from bot.content.loader import Content
from bot.dialogue import turns as dialog
from bot.programme.flowrules import RuleEnv
from bot.storage.store import Store
from tests.support.chat import FIXED_NOW, Chat

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.yaml"))
SCRIPTS = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in TRANSCRIPTS}
Coverage = dict[str, dict[str, set[Any]]]


def flat(text: str) -> str:
    return plain(text).replace("\u00a0", " ").replace("\u202f", " ")


async def play(path: Path, content: Content, database: Path, coverage: Coverage) -> None:
    """Run one transcript against the real content and a real SQLite file."""
    script = SCRIPTS[path]
    now = dt.datetime.fromisoformat(script["now"]) if "now" in script else FIXED_NOW
    store = await Store.open(database)
    try:
        chat = Chat(build_assistant(content, store, clock=lambda: now))
        for number, turn in enumerate(script["turns"], start=1):
            where = f"{path.name}, tour {number} ({turn.get('say') or turn.get('press')!r})"
            if "say" in turn:
                await chat.say(str(turn["say"]))
            else:
                wanted = flat(turn["press"])
                labels = [label for label in chat.labels if flat(label) == wanted]
                await chat.press(labels[0] if labels else turn["press"])
            shown = flat(chat.text)
            for expected in turn.get("expect", []):
                assert flat(expected) in shown, f"{where}: {expected!r} absent de :\n{shown}"
            for unexpected in turn.get("not_expect", []):
                assert flat(unexpected) not in shown, f"{where}: {unexpected!r} présent"
            labels = [flat(label) for label in chat.labels]
            if "buttons" in turn:
                assert labels == [flat(b) for b in turn["buttons"]], where
            for label in turn.get("buttons_include", []):
                assert flat(label) in labels, f"{where}: pas de bouton {label!r} : {labels}"
            if "replace" in turn:
                assert chat.last[0].replace is turn["replace"], where
            row = await store.conversation(1, 1)
            if "step" in turn:
                assert (row.step if row else None) == turn["step"], where
            for name, value in turn.get("answers", {}).items():
                assert row is not None and row.answers.get(name) == value, \
                    f"{where}: {name} = {row.answers.get(name) if row else None!r}"
            if row is not None and row.flow_id in content.flows:
                flow = content.flows[row.flow_id]
                env = RuleEnv(params=content.params, today=now.date())
                trail = dialog.walk(flow, env, row.answers, until=row.step)
                coverage[flow.id]["steps"].update([*trail.path, trail.stop])
                coverage[flow.id]["branches"].update(trail.branches)
    finally:
        await store.close()


def new_coverage() -> Coverage:
    return defaultdict(lambda: {"steps": set(), "branches": set()})


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
async def test_transcript(path: Path, content: Content, tmp_path: Path) -> None:
    await play(path, content, tmp_path / "bot.sqlite3", new_coverage())


async def test_transcripts_walk_every_step_and_branch_of_every_flow(
        content: Content, tmp_path: Path) -> None:
    coverage = new_coverage()
    for index, path in enumerate(TRANSCRIPTS):
        await play(path, content, tmp_path / f"{index}.sqlite3", coverage)
    for flow in content.flows.values():
        missing_steps = set(flow.steps) - coverage[flow.id]["steps"]
        assert not missing_steps, f"{flow.id} : étapes jamais parcourues {missing_steps}"
        branches = {(step.id, i) for step in flow.steps.values() for i in range(len(step.next))}
        missing = branches - coverage[flow.id]["branches"]
        assert not missing, f"{flow.id} : branches jamais prises {sorted(missing)}"
