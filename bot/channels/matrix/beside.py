"""Matrix beside another channel in the same process: a thread of its own, with its own event
loop and database connection (SQLite in WAL mode takes both), stopped when the other channel
stops. Each channel's sweep sends only its own chats' reminders (bot/delivery/scope.py)."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

from bot.channels.matrix.channel import protect_secrets, serve
from bot.content.loader import Content
from bot.core.config import Settings
from bot.storage.store import Store

log = logging.getLogger(__name__)
STOP_TIMEOUT = 30.0  # seconds for the Matrix thread to finish its messages in hand


async def _migrate(database: Path) -> None:
    store = await Store.open(database)
    await store.close()


class MatrixBeside:
    """The Matrix channel served in a background thread until `stop`."""

    def __init__(self, settings: Settings, content: Content) -> None:
        self.settings = settings
        self.content = content
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="matrix", daemon=True)

    def start(self, log_format: str = "text") -> None:
        """Configure the logs (secrets masked), bring the database schema up to date (two
        connections migrating a new file at once would collide), then serve Matrix in the
        thread."""
        protect_secrets(self.settings, log_format)
        asyncio.run(_migrate(self.settings.database))
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception:
            log.exception("Le canal Matrix s'est arrêté sur une erreur")

    async def _serve(self) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        self._started.set()
        await serve(self.settings, self.content, self._stopping)

    def stop(self) -> None:
        """Ask the Matrix channel to stop, and wait for it."""
        if self._loop is not None and self._stopping is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(STOP_TIMEOUT)
