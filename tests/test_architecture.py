"""The package layering of README « Architecture »: no import cycle, dependencies one way."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from bot.core.config import ROOT

PACKAGE = ROOT / "bot"
FEATURES = ("admin", "broadcast", "content", "delivery", "dialogue", "documents", "faq",
            "privacy", "programme", "reminders", "storage")
ABOVE_FEATURES = ("bot.assistant", "bot.app", "bot.channels", "bot.cli", "bot.__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (never imported at run time)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _type_checking(child):
            yield from (n for orelse in child.orelse for n in [orelse, *_runtime_nodes(orelse)])
            continue
        yield child
        yield from _runtime_nodes(child)


def imports_of(module: str) -> set[str]:
    """The bot modules `module` imports at run time, at any depth (function bodies too)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in MODULES:
                    found.add(sub)
                elif node.module in MODULES:
                    found.add(node.module)
    return found - {module}


GRAPH = {module: imports_of(module) for module in MODULES}


def cycles() -> list[list[str]]:
    """The import cycles (strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return found


def under(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(sources: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{module} → {target}" for module, targets in GRAPH.items()
                  if under(module, *sources) for target in targets if under(target, *forbidden))


def test_the_graph_sees_the_imports() -> None:
    assert "bot.core.replies" in GRAPH["bot.assistant"]
    assert "bot.assistant" in GRAPH["bot.app"]


def test_no_import_cycle() -> None:
    assert cycles() == []


# What each package may import besides itself (README « Architecture »).
ALLOWED = {
    "core": set(),
    "programme": {"core"},
    "storage": {"core"},
    "delivery": {"core"},
    "documents": {"core", "programme"},
    "content": {"core", "programme", "faq", "dialogue"},   # their loaders and models
    "faq": {"core", "programme", "storage"},
    "dialogue": {"core", "programme", "storage", "documents"},
    "reminders": {"core", "programme", "storage", "dialogue"},  # its flow's territory
    "broadcast": {"core", "storage"},
    "admin": {"core", "storage", "broadcast", "content"},
    "privacy": {"core", "storage", "broadcast"},
    "assistant": {"core", "content", "storage"},
}


def package_of(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def test_each_package_imports_only_what_the_architecture_allows() -> None:
    wrong = sorted(f"{module} → {target}" for module, targets in GRAPH.items()
                   if package_of(module) in ALLOWED for target in targets
                   if package_of(target) != package_of(module)
                   and package_of(target) not in ALLOWED[package_of(module)])
    assert wrong == []


def test_the_core_imports_only_the_core() -> None:
    outside = sorted(f"{module} → {target}" for module, targets in GRAPH.items()
                     if under(module, "bot.core") for target in targets
                     if not under(target, "bot.core"))
    assert outside == []


def test_features_never_import_the_assistant_the_app_or_a_channel() -> None:
    assert violations(tuple(f"bot.{name}" for name in FEATURES), ABOVE_FEATURES) == []


def test_the_assistant_and_the_app_never_import_a_channel() -> None:
    assert violations(("bot.assistant", "bot.app"), ("bot.channels", "bot.cli")) == []


def test_a_channel_never_imports_another() -> None:
    assert violations(("bot.channels.telegram",), ("bot.channels.console",)) == []
    assert violations(("bot.channels.console",), ("bot.channels.telegram",)) == []


YAML_WORDS = {"choix", "entier", "montant", "pourcentage", "calcul",  # "message", "date": same
              "recapitulatif", "egal", "different", "dans", "hors", "au_moins", "au_plus",
              "plus_de", "moins_de", "derniere"}
YAML_READERS = {"bot.dialogue.loader", "bot.dialogue.checks"}  # they name the YAML's keys


def test_the_flow_yaml_vocabulary_is_translated_in_the_loader_only() -> None:
    """The code that runs flows matches English enums, never the YAML's French words."""
    found = sorted(
        f"{module}: {node.value!r}" for module, path in MODULES.items()
        if under(module, "bot.dialogue", "bot.programme.flowrules", "bot.documents")
        and module not in YAML_READERS
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in YAML_WORDS)
    assert found == []


def test_tests_import_helpers_from_tests_support_only() -> None:
    """No test module or conftest is imported by another: shared helpers live in
    tests/support/, and a test's path mirrors the module it tests."""
    found = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and \
                    node.module.startswith("tests.") and \
                    not node.module.startswith("tests.support"):
                found.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert found == []
