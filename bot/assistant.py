"""The assistant: routes each input to the feature that declared it, for any channel.

Commands and button prefixes come from the features' registry (bot/core/registry.py); a text
goes to each feature's `take_text` in order (the active flow, then the FAQ). The assistant
keeps the routing, the menu and /aide; the features do the work.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

from bot.content.loader import Content
from bot.core import messages
from bot.core.clock import Clock, utc_now
from bot.core.registry import BoundCommand, ButtonRoute, Collision, Command, Registry
from bot.core.replies import Button, Conversation, Incoming, Outgoing
from bot.storage.store import Store

log = logging.getLogger(__name__)
Listener = Callable[[Content], Awaitable[None]]
F = TypeVar("F")


class Assistant:
    """Routes each input: command → button → text (active flow, then the FAQ)."""

    name: ClassVar[str] = "assistant"
    commands: ClassVar[tuple[Command, ...]] = (
        Command("menu", "menu_command", "les thèmes"),
        Command("aide", "help_command", "cette aide"),
        Command("start", "start_command", "recommencer"),
    )
    buttons: ClassVar[tuple[ButtonRoute, ...]] = (
        ButtonRoute("m", "menu_button"), ButtonRoute("c", "command_button"))
    actions: ClassVar[dict[str, str]] = {}

    def __init__(self, content: Content, store: Store, *, clock: Clock = utc_now,
                 timezone: str = "Europe/Paris", admins: frozenset[int] = frozenset()) -> None:
        """`admins` are the user ids allowed the administrators' commands. Features are
        given by `install` (bot/app.py does both)."""
        self.content = content
        self.store = store
        self.clock = clock
        self.zone = ZoneInfo(timezone)
        self.admins = admins
        self.features: dict[str, Any] = {}
        self.registry = Registry([self])
        self.reload_listeners: list[Listener] = []

    def install(self, features: Iterable[Any]) -> None:
        """Use these features, in this order for texts; a feature name, command, button
        prefix or action claimed twice is refused (Collision), and nothing changes."""
        installed: dict[str, Any] = {}
        for feature in features:
            if feature.name in installed or feature.name == self.name:
                raise Collision(f"fonctionnalité « {feature.name} » installée deux fois")
            installed[feature.name] = feature
        registry = self._registry(self.content, installed)
        self.features, self.registry = installed, registry

    def feature(self, kind: type[F]) -> F:
        """The installed feature of this class."""
        return next(f for f in self.features.values() if isinstance(f, kind))

    def _registry(self, content: Content, features: dict[str, Any] | None = None) -> Registry:
        """The registry of these features (the installed ones) and of the content's flows."""
        features = self.features if features is None else features
        driven = frozenset(flow for feature in features.values()
                           for flow in getattr(feature, "drives_flows", ()))
        extra: list[BoundCommand] = []
        for feature in features.values():
            if hasattr(feature, "flow_commands"):
                extra += feature.flow_commands(content, driven)
        return Registry([*features.values(), self], extra)

    async def reload(self, content: Content) -> None:
        """Use new (already validated) content from the next update on: the content and the
        registry are swapped together, with no await in between; then the listeners (the
        Telegram channel registers its command list again) are told."""
        registry = self._registry(content)
        self.content, self.registry = content, registry
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
        return await self._text(conversation, text)

    async def _text(self, conversation: Conversation, text: str) -> list[Outgoing]:
        for feature in self.features.values():
            if hasattr(feature, "take_text"):
                replies = await feature.take_text(conversation, text)
                if replies is not None:
                    return replies
        return [self.menu_reply(messages.FALLBACK)]

    async def _command(self, conversation: Conversation, text: str) -> list[Outgoing]:
        name, _, args = text[1:].partition(" ")
        name = name.split("@", 1)[0].lower()
        command = self.registry.commands.get(name)
        if command is None or (command.admin and not self.is_admin(conversation)):
            # an administrator's command is unknown to anyone else
            shown = html.escape("/" + name[:40], quote=False)
            return [Outgoing(text=messages.UNKNOWN_COMMAND.format(command=shown))]
        return await command.run(conversation, args.strip())

    async def _button(self, conversation: Conversation, payload: str) -> list[Outgoing]:
        prefix, _, value = payload.partition(":")
        route = self.registry.buttons.get(prefix)
        if route is not None and (not route.admin or self.is_admin(conversation)):
            replies = await route.run(conversation, value)
            if replies is not None:
                return replies
        return [self.menu_reply(messages.STALE_BUTTON + " " + messages.MENU)]

    # --- the assistant's own commands and buttons ---------------------------------------

    async def start_command(self, conversation: Conversation, args: str) -> list[Outgoing]:
        return [self.menu_reply(messages.WELCOME)]

    async def menu_command(self, conversation: Conversation, args: str) -> list[Outgoing]:
        return [self.menu_reply(messages.MENU)]

    async def help_command(self, conversation: Conversation, args: str) -> list[Outgoing]:
        return [Outgoing(text=self.help_text(admin=self.is_admin(conversation)))]

    async def menu_button(self, conversation: Conversation, value: str) -> list[Outgoing] | None:
        """"m": the menu."""
        return None if value else [self.menu_reply(messages.MENU)]

    async def command_button(self, conversation: Conversation,
                             value: str) -> list[Outgoing] | None:
        """"c:<command>": a menu button that runs a command (not an administrator's)."""
        command = self.registry.commands.get(value)
        if command is None or command.admin:
            return None
        return await command.run(conversation, "")

    def help_text(self, *, admin: bool) -> str:
        """/aide: how to ask, then every documented command (the administrators' too)."""
        public = [f"/{name} : {text}" for name, text in self.registry.listed(admin=False)]
        text = messages.HELP_INTRO + "\n".join(public)
        if admin:
            own = [f"/{name} : {text}" for name, text in self.registry.listed(admin=True)
                   if (name, text) not in self.registry.listed(admin=False)]
            text += messages.ADMIN_HELP_TITLE + "\n".join(own)
        return text

    def menu_reply(self, text: str) -> Outgoing:
        """`text` with the menu's buttons."""
        buttons = []
        for item in self.content.menu:
            payload = f"f:{item.faq}" if item.faq else f"c:{item.command}"
            buttons.append(Button(item.label, payload))
        rows = tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))
        return Outgoing(text=text, buttons=rows)

    # --- what features ask of each other (bot/core/host.py) -----------------------------

    def event(self, conversation: Conversation, kind: str) -> None:
        """Count a usage event for /stats (bot/storage/events.py: written in batches)."""
        self.store.events.add(conversation.chat_id, kind, self.clock())

    def _feature_with(self, method: str) -> Any:
        for feature in self.features.values():
            if hasattr(feature, method):
                return feature
        raise LookupError(f"no feature has {method}")

    async def start_flow(self, conversation: Conversation, flow_id: str,
                         prefill: Mapping[str, object] | None = None) -> list[Outgoing]:
        """Begin a flow (questions answered by `prefill` are passed)."""
        return await self._feature_with("start_flow").start_flow(conversation, flow_id, prefill)

    async def then_flow(self, conversation: Conversation,
                        replies: list[Outgoing]) -> list[Outgoing]:
        """Replies to a side question, then the active flow's question again, if any."""
        return await self._feature_with("then_flow").then_flow(conversation, replies)

    async def answer_question(self, conversation: Conversation,
                              text: str) -> list[Outgoing] | None:
        """A text a flow could not read: the FAQ's answer if it is a question, else None."""
        return await self._feature_with("side_question").side_question(conversation, text)

    async def run_action(self, action: str, conversation: Conversation,
                         values: Mapping[str, object]) -> list[Outgoing]:
        """A flow's end action (`programmer_rappels`…), run by the feature that declared it."""
        return await self.registry.actions[action](conversation, values)
