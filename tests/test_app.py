"""The composition root: the same features and settings for every channel."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest

from bot import app
from bot.assistant import Assistant
from bot.content.loader import Content
from bot.core import formatting
from bot.core.config import ROOT
from bot.core.registry import ButtonRoute, Collision, Command
from bot.core.replies import Conversation, Outgoing
from bot.storage.store import Store


class Echo:
    """A feature written by a newcomer who did not look at the others' names."""

    name: ClassVar[str] = "écho"
    commands: ClassVar[tuple[Command, ...]] = (Command("oubli", "say", "répéter"),)
    buttons: ClassVar[tuple[ButtonRoute, ...]] = (ButtonRoute("f", "press"),)
    actions: ClassVar[dict[str, str]] = {"programmer_rappels": "say"}

    async def say(self, conversation: Conversation, args: str) -> list[Outgoing]:
        return [Outgoing(text=args)]

    async def press(self, conversation: Conversation, value: str) -> list[Outgoing]:
        return [Outgoing(text=value)]


def test_a_feature_claiming_a_taken_name_is_refused_at_start_up(content: Content,
                                                                store: Store) -> None:
    assistant = app.build_assistant(content, store)
    with pytest.raises(Collision) as refused:
        assistant.install([*assistant.features.values(), Echo()])
    message = str(refused.value)
    assert "commande /oubli : confidentialité et écho" in message
    assert "préfixe de bouton « f » : FAQ et écho" in message
    assert "action « programmer_rappels »" in message
    assert "oubli" in assistant.registry.commands and \
        assistant.registry.commands["oubli"].owner == "confidentialité"   # nothing changed
    with pytest.raises(Collision, match="installée deux fois"):
        assistant.install([*assistant.features.values(), Echo(), Echo()])


def test_help_and_menus_come_from_the_registry(assistant: Assistant) -> None:
    public = assistant.help_text(admin=False)
    admin = assistant.help_text(admin=True)
    for name, command in assistant.registry.commands.items():
        if command.help is None:
            continue
        assert (f"/{name} : " in public) is not command.admin, name
        assert f"/{name} : {command.help}" in admin
    assert public.index("/eligibilite") < public.index("/rappels") < public.index("/aide")


def chat(database: Path, zone: str, stdin: str) -> str:
    """`python -m bot chat` with this time zone; the console user (0) is an administrator."""
    env = {**os.environ, "BOT_DATABASE": str(database), "BOT_TIMEZONE": zone,
           "BOT_ADMIN_IDS": "0"}
    for name in ("TELEGRAM_BOT_TOKEN", "BOT_KNOWLEDGE_DIR", "BOT_FLOWS_DIR"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-m", "bot", "chat"], input=stdin, text=True,
                            capture_output=True, env=env, cwd=ROOT, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.replace("\u00a0", " ")


def local_days(zone: str, before: dt.datetime, after: dt.datetime) -> set[str]:
    """Today in `zone`, as /stats writes it, at any instant of the run."""
    return {formatting.date(moment.astimezone(ZoneInfo(zone)).date()).replace("\u00a0", " ")
            for moment in (before, after)}


def test_bot_timezone_reaches_the_terminal_chat(tmp_path: Path) -> None:
    """/stats counts days in BOT_TIMEZONE: 26 hours apart, two zones never share today."""
    ahead, behind = "Pacific/Kiritimati", "Etc/GMT+12"   # UTC+14, UTC-12
    before = dt.datetime.now(dt.UTC)
    seen = {zone: chat(tmp_path / f"{i}.sqlite3", zone, "/stats\n")
            for i, zone in enumerate((ahead, behind))}
    after = dt.datetime.now(dt.UTC)
    assert any(day in seen[ahead] for day in local_days(ahead, before, after))
    assert not any(day in seen[behind] for day in local_days(ahead, before, after))
    assert any(day in seen[behind] for day in local_days(behind, before, after))
