"""The commands, button prefixes and flow actions of the features, in one table.

A feature declares what it answers as class attributes: `commands` (name, the method that
runs it, its line in /aide and the Telegram menu, administrators only or not), `buttons`
(payload prefix → method) and `actions` (a flow's end action → method). `Registry` binds them
to the feature instances and refuses any name claimed twice; `declared_commands` gives the
names without instances, for `python -m bot check`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from bot.core.replies import Conversation, Outgoing

Handler = Callable[[Conversation, str], Awaitable[list[Outgoing]]]
ButtonHandler = Callable[[Conversation, str], Awaitable[list[Outgoing] | None]]
ActionHandler = Callable[[Conversation, Mapping[str, object]], Awaitable[list[Outgoing]]]


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command: `handler` names the feature's method (conversation, args) → replies;
    `help` is its line in /aide and the Telegram menu (None: not listed)."""

    name: str
    handler: str
    help: str | None = None
    admin: bool = False


@dataclass(frozen=True, slots=True)
class ButtonRoute:
    """Buttons whose payload is "<prefix>:<value>" (or the bare prefix): `handler` names the
    method (conversation, value) → replies, or None when the press is stale."""

    prefix: str
    handler: str
    admin: bool = False


class Feature(Protocol):
    """What a feature declares; its methods named there do the work."""

    name: ClassVar[str]
    commands: ClassVar[tuple[Command, ...]]
    buttons: ClassVar[tuple[ButtonRoute, ...]]
    actions: ClassVar[Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class BoundCommand:
    """A command ready to run, with the feature it belongs to (for messages)."""

    name: str
    run: Handler
    help: str | None
    admin: bool
    owner: str


@dataclass(frozen=True, slots=True)
class BoundButton:
    run: ButtonHandler
    admin: bool
    owner: str


class Collision(ValueError):
    """Two features (or a feature and a flow) claim the same name."""


class Registry:
    """Every command, button prefix and action of the given features; collisions refused.
    Commands keep their order: `extra` (one per flow) first, then each feature's."""

    def __init__(self, features: Iterable[Any], extra: Iterable[BoundCommand] = ()) -> None:
        self.commands: dict[str, BoundCommand] = {}
        self.buttons: dict[str, BoundButton] = {}
        self.actions: dict[str, ActionHandler] = {}
        problems: list[str] = []
        for command in extra:
            self._add_command(command, problems)
        for feature in features:
            for command in feature.commands:
                self._add_command(BoundCommand(
                    command.name, getattr(feature, command.handler), command.help,
                    command.admin, feature.name), problems)
            for route in feature.buttons:
                if route.prefix in self.buttons:
                    problems.append(f"préfixe de bouton « {route.prefix} » : "
                                    f"{self.buttons[route.prefix].owner} et {feature.name}")
                    continue
                self.buttons[route.prefix] = BoundButton(getattr(feature, route.handler),
                                                         route.admin, feature.name)
            for action, method in feature.actions.items():
                if action in self.actions:
                    problems.append(f"action « {action} » déclarée deux fois ({feature.name})")
                    continue
                self.actions[action] = getattr(feature, method)
        if problems:
            raise Collision("; ".join(problems))

    def _add_command(self, command: BoundCommand, problems: list[str]) -> None:
        if command.name in self.commands:
            problems.append(f"commande /{command.name} : {self.commands[command.name].owner} "
                            f"et {command.owner}")
            return
        self.commands[command.name] = command

    def listed(self, *, admin: bool) -> list[tuple[str, str]]:
        """(name, help) of the documented commands, in declaration order: everyone's, then
        the administrators' when `admin`."""
        return [(c.name, c.help) for c in self.commands.values()
                if c.help is not None and not c.admin] + \
            ([(c.name, c.help) for c in self.commands.values()
              if c.help is not None and c.admin] if admin else [])


@dataclass(frozen=True, slots=True)
class Declared:
    """A command as declared, before any feature exists: who owns it, for whom."""

    owner: str
    admin: bool


def declared_commands(feature_types: Iterable[Any]) -> dict[str, Declared]:
    """Command name → its declaration, from the features' classes alone."""
    names: dict[str, Declared] = {}
    for feature in feature_types:
        for command in feature.commands:
            names.setdefault(command.name, Declared(feature.name, command.admin))
    return names
