"""All content of the assistant (parameters, FAQ, menu, flows), loaded and validated together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.second_reader import second_reader
from bot.core.registry import Declared
from bot.core.yamlsource import ContentError, InvalidContent, load_yaml
from bot.dialogue.loader import load_flows
from bot.dialogue.model import Flow
from bot.faq import followup, talk
from bot.faq.entries import FaqEntry, load_faq, load_scope, load_synonyms
from bot.faq.matcher import FaqMatcher, Synonyms
from bot.faq.talk_content import FILE as TALK_FILE
from bot.faq.talk_content import load_talk
from bot.programme.params import Parameters, load_parameters


@dataclass(frozen=True, slots=True, kw_only=True)
class MenuItem:
    """A menu button: opens an FAQ entry or runs a command."""

    label: str
    faq: str | None = None
    command: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Content:
    """Everything the engine needs from knowledge/ and flows/."""

    params: Parameters
    faq: dict[str, FaqEntry]
    matcher: FaqMatcher
    menu: tuple[MenuItem, ...]
    flows: dict[str, Flow] = field(default_factory=dict)
    talk: talk.Talk = field(default_factory=talk.Talk)
    followups: followup.Rules = field(default_factory=followup.Rules)


def load_content(knowledge_dir: Path, flows_dir: Path | None = None, *,
                 commands: Mapping[str, Declared], cache_dir: Path | None = None) -> Content:
    """Load and validate all content; raise InvalidContent listing every problem.
    `commands` are the features' (bot/app.py): no flow may take one of their names, and a
    menu button may run one of them (not an administrator's) or a flow. The FAQ's second
    reader is trained, or read from `cache_dir` when trained before on the same FAQ."""
    errors: list[ContentError] = []
    params = load_parameters(knowledge_dir)
    faq = load_faq(knowledge_dir / "faq", params)
    synonyms = Synonyms(load_synonyms(knowledge_dir / "synonymes.yaml"))
    scope = load_scope(knowledge_dir / "perimetre.yaml")
    flows: dict[str, Flow] = {}
    flow_commands: tuple[str, ...] = ()
    try:
        flows = load_flows(flows_dir, params, commands={
            name: declared.owner for name, declared in commands.items()})
        flow_commands = tuple(flows)
    except InvalidContent as exc:
        errors += exc.errors
        flow_commands = tuple(p.stem for p in sorted(flows_dir.glob("*.yaml"))) \
            if flows_dir else ()
    known = (*[name for name, declared in commands.items() if not declared.admin],
             *flow_commands)
    menu = _load_menu(knowledge_dir / "menu.yaml", faq, known, errors)
    small_talk, followups = load_talk(knowledge_dir / TALK_FILE, errors)
    if errors:
        raise InvalidContent(errors)
    matcher = FaqMatcher(faq.values(), synonyms=synonyms, scope=scope)
    matcher.second_reader = second_reader(matcher, cache_dir)
    return Content(params=params, faq=faq, matcher=matcher, menu=menu, flows=flows,
                   talk=small_talk, followups=followups)


def _load_menu(path: Path, faq: dict[str, FaqEntry], commands: tuple[str, ...],
               errors: list[ContentError]) -> tuple[MenuItem, ...]:
    doc = load_yaml(path)
    if not isinstance(doc.data, list) or not doc.data:
        errors.append(doc.error("le menu doit être une liste de boutons"))
        return ()
    items = []
    for index, raw in enumerate(doc.data):
        ok = (isinstance(raw, dict) and isinstance(raw.get("libelle"), str)
              and len(raw) == 2 and ("faq" in raw) != ("commande" in raw))
        if not ok:
            errors.append(doc.error("bouton de menu : « libelle » et soit « faq », soit "
                                    "« commande »", index))
            continue
        if "faq" in raw and raw["faq"] not in faq:
            errors.append(doc.error(f"bouton de menu : entrée « {raw['faq']} » inconnue",
                                    index, "faq"))
            continue
        if "commande" in raw and raw["commande"] not in commands:
            errors.append(doc.error(f"bouton de menu : commande « {raw['commande']} » inconnue "
                                    f"(connues : {', '.join(commands)})", index, "commande"))
            continue
        items.append(MenuItem(label=raw["libelle"], faq=raw.get("faq"),
                              command=raw.get("commande")))
    return tuple(items)


__all__ = ["Content", "InvalidContent", "MenuItem", "load_content"]
