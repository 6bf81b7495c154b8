"""End-to-end helpers for the administrators' tests: the real Application with
administrators and its own content directories."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.channels.telegram.channel import build_application
from bot.content.loader import Content
from bot.core.config import ROOT
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator, free_port
from tests.support.chat import FIXED_NOW
from tests.support.telegram import App, Handled, serving, settings_for, test_limiter

ADMIN_ID = 7


@pytest.fixture
def content_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of knowledge/ and flows/ that a test may change."""
    knowledge, flows = tmp_path / "knowledge", tmp_path / "flows"
    shutil.copytree(ROOT / "knowledge", knowledge)
    shutil.copytree(ROOT / "flows", flows)
    return knowledge, flows


@asynccontextmanager
async def admin_bot(emulator: BotApiEmulator, content: Content, path: Path, done: Handled,
                    dirs: tuple[Path, Path] | None = None, **options: Any) -> AsyncIterator[App]:
    """The real Application (polling the emulator) with ADMIN_ID as its administrator."""
    settings = dataclasses.replace(settings_for(emulator, path, free_port()),
                                   admin_ids=frozenset({ADMIN_ID}))
    if dirs is not None:
        settings = dataclasses.replace(settings, knowledge_dir=dirs[0], flows_dir=dirs[1])
    store = await Store.open(path)
    app = build_application(settings, content, store, clock=lambda: FIXED_NOW,
                            rate_limiter=test_limiter(), **options)
    app.add_handler(TypeHandler(Update, done.record), group=100)
    async with serving(app) as served:
        yield served
