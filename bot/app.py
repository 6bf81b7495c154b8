"""The composition root: settings → content → store → assistant and its features → services.

Every channel (Telegram, the terminal) and every CLI command gets its content loader, its
assistant and its background services from here, so they all run the same features with the
same settings.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from bot.admin.chat import AdminChat
from bot.assistant import Assistant
from bot.broadcast.store import BroadcastStore
from bot.content.loader import Content, load_content
from bot.core import config
from bot.core.clock import Clock, utc_now
from bot.core.config import Settings
from bot.core.registry import Declared, declared_commands
from bot.core.yamlsource import InvalidContent
from bot.dialogue.session import DialogueFeature
from bot.faq.feature import FaqFeature
from bot.privacy import erasure
from bot.privacy.chat import PrivacyChat
from bot.reminders.chat import ReminderChat
from bot.reminders.store import ReminderStore
from bot.storage.store import Store

log = logging.getLogger(__name__)
Loader = Callable[[], Content]

# Texts go to the features in this order: a reminders' or privacy prompt, the active flow,
# then the FAQ (which answers everything).
FEATURES = (ReminderChat, PrivacyChat, DialogueFeature, FaqFeature, AdminChat)
PURGE_EVERY = 6 * 3600.0  # seconds between two purges of data past the retention


def reserved_commands() -> dict[str, Declared]:
    """Commands a flow id may not take: every declared command, but those of the flows a
    feature drives itself (flows/rappels.yaml, started by /rappels)."""
    driven = {flow for feature in FEATURES for flow in getattr(feature, "drives_flows", ())}
    return {name: owner for name, owner in declared_commands([Assistant, *FEATURES]).items()
            if name not in driven}


def load(knowledge_dir: Path, flows_dir: Path | None = None, *,
         cache_dir: Path | None = None) -> Content:
    """Load and validate the content; raise InvalidContent listing every problem (a flow id
    that is already a command among them). The FAQ's trained model is kept in `cache_dir`,
    by default the environment's (bot/core/config.py)."""
    return load_content(knowledge_dir, flows_dir, commands=reserved_commands(),
                        cache_dir=cache_dir or config.cache_dir())


def loader_of(settings: Settings) -> Loader:
    """The content loader of these settings (start-up, /recharger and SIGHUP)."""
    return functools.partial(load, settings.knowledge_dir, settings.flows_dir,
                             cache_dir=settings.cache_dir)


def build_assistant(content: Content, store: Store, *, clock: Clock = utc_now,
                    timezone: str = "Europe/Paris", admins: frozenset[int] = frozenset(),
                    reminders: ReminderStore | None = None,
                    loader: Loader | None = None) -> Assistant:
    """The assistant with every feature installed. `reminders` defaults to the store's own
    connection; `loader` reads the content again for /recharger."""
    assistant = Assistant(content, store, clock=clock, timezone=timezone, admins=admins)
    broadcasts = BroadcastStore(store.db)
    reminder_chat = ReminderChat(assistant, reminders)
    dialogue = DialogueFeature(assistant)
    dialogue.answers_listeners.append(reminder_chat.remember_territory)
    assistant.install([reminder_chat, PrivacyChat(assistant, broadcasts), dialogue,
                       FaqFeature(assistant), AdminChat(assistant, broadcasts, loader)])
    return assistant


def assistant_for(settings: Settings, content: Content, store: Store, *,
                  clock: Clock = utc_now) -> Assistant:
    """The assistant these settings describe (time zone, administrators, content loader)."""
    return build_assistant(content, store, clock=clock, timezone=settings.timezone,
                           admins=settings.admin_ids, loader=loader_of(settings))


class Services:
    """Background work beside any channel: the retention purge (at start, then every few
    hours) and the content reload on SIGHUP. Channels add their own delivery sweeps."""

    def __init__(self, assistant: Assistant, *, retention_days: int,
                 loader: Loader | None = None) -> None:
        self.assistant = assistant
        self.retention_days = retention_days
        self.loader = loader
        self.reload_on_sighup = False  # set by the processes that serve (not by tests)
        self._tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        """Purge once before the first update (nothing else writes meanwhile), then again
        every PURGE_EVERY seconds; reload the content on SIGHUP if `reload_on_sighup`."""
        await self.purge()
        self.spawn(self._purge_forever(), "purge")
        if self.reload_on_sighup:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.request_reload)

    async def stop(self) -> None:
        """Cancel the background tasks and wait for them."""
        if self.reload_on_sighup:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run `coroutine` in the background until `stop`."""
        task = asyncio.get_running_loop().create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def running(self, name: str) -> bool:
        return any(task.get_name() == name for task in self._tasks)

    async def purge(self) -> Mapping[str, int]:
        """Delete what is older than the retention (pending reminders are kept)."""
        try:
            counts = await erasure.purge(self.assistant.store.db, self.assistant.clock(),
                                         self.retention_days)
        except Exception:
            log.exception("Échec de la purge des données anciennes")
            return {}
        if any(counts.values()):
            log.info("Données de plus de %s jours effacées : %s", self.retention_days,
                     {table: n for table, n in counts.items() if n})
        return counts

    async def _purge_forever(self) -> None:
        while True:
            await asyncio.sleep(PURGE_EVERY)
            await self.purge()

    def request_reload(self) -> None:
        """SIGHUP: reload the content in the background (refused if invalid)."""
        self.spawn(self.reload_from_disk(), "rechargement")

    async def reload_from_disk(self) -> bool:
        """Load and validate the content; swap it if valid, else log every problem."""
        if self.loader is None:
            return False
        try:
            content = await asyncio.to_thread(self.loader)
        except InvalidContent as exc:
            log.error("Contenu refusé, le contenu actuel reste en service (%s problème(s)) :"
                      "\n%s", len(exc.errors), "\n".join(str(e) for e in exc.errors))
            return False
        await self.assistant.reload(content)
        return True


def services_for(settings: Settings, assistant: Assistant) -> Services:
    """The background services these settings describe."""
    return Services(assistant, retention_days=settings.retention_days,
                    loader=loader_of(settings))
