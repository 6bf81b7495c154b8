"""YAML loading that remembers the line of every value, and content errors that name it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ContentError:
    """One problem in a content file, shown as `file:line: message`."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InvalidContent(Exception):
    """Raised when content files have problems; carries every problem found."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.file, e.line, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(slots=True)
class YamlDoc:
    """A parsed YAML file: its data and the line of each value, by path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, *path: str | int) -> int:
        """Line of the value at `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def error(self, message: str, *path: str | int) -> ContentError:
        return ContentError(self.file, self.line(*path), message)


def display_path(path: Path) -> str:
    """Path as shown in messages: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# libyaml parses our content ~15x faster; the pure-Python loader is the fallback.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> YamlDoc:
    """Parse a YAML file; syntax errors and duplicate keys raise InvalidContent."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidContent([ContentError(name, 1, f"lecture impossible : {exc}")]) from exc
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise InvalidContent([ContentError(name, line, explain(exc.problem or ""))]) from exc
    doc = YamlDoc(name, None)
    if node is None:
        doc.lines[()] = 1
        return doc
    errors: list[ContentError] = []
    doc.data = _Builder(doc, errors).build(node, ())
    if errors:
        raise InvalidContent(errors)
    return doc


YAML_PROBLEMS = {
    "mapping values are not allowed": "« : » inattendu : mettez le texte entre guillemets, ou "
                                      "vérifiez l'indentation",
    "expected <block end>": "indentation incohérente : alignez cette ligne sur les autres clés",
    "did not find expected key": "indentation incohérente : alignez cette ligne sur les autres "
                                 "clés",
    "did not find expected '-'": "indentation incohérente dans une liste",
    "could not find expected ':'": "« : » manquant après une clé",
    "found character '\\t'": "tabulation interdite : indentez avec des espaces",
    "found unexpected end of stream": "guillemet non refermé",
}


def explain(problem: str) -> str:
    """A French explanation of a YAML syntax problem reported by PyYAML."""
    for known, text in YAML_PROBLEMS.items():
        if known in problem:
            return f"YAML invalide : {text}"
    return f"YAML invalide ({problem or 'syntaxe'}) : vérifiez l'indentation et les guillemets"


class _Builder:
    """Turns composed YAML nodes into Python values, recording lines and duplicate keys."""

    def __init__(self, doc: YamlDoc, errors: list[ContentError]) -> None:
        self.doc = doc
        self.errors = errors
        self.loader = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.doc.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(ContentError(self.doc.file, line, "clé invalide"))
                continue
            key = str(self.loader.construct_object(key_node))
            if key in result:
                self.errors.append(ContentError(self.doc.file, line, f"clé « {key} » en double"))
                continue
            result[key] = self.build(value_node, (*path, key))
            self.doc.lines[(*path, key)] = line
        return result
