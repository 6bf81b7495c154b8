"""Review of unanswered questions: grouping similar ones, adding them to an entry's phrasings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.core.text import normalize
from bot.faq.matcher import content_words
from bot.storage.store import Record

SIMILAR = 80  # token_set_ratio from which two questions are grouped


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """Similar unanswered questions; `key` (its oldest record id) names it for the operator."""

    key: int
    records: tuple[Record, ...]

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def questions(self) -> tuple[str, ...]:
        """Distinct wordings, most frequent first."""
        counts: dict[str, int] = {}
        for record in self.records:
            text = " ".join(record.question.split())
            counts[text] = counts.get(text, 0) + 1
        return tuple(sorted(counts, key=lambda q: -counts[q]))

    @property
    def last_asked(self) -> str:
        return max(r.asked_at for r in self.records)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """What users did with the suggestions they were shown."""
        return tuple(r.outcome for r in self.records if r.outcome)

    @property
    def best_candidates(self) -> tuple[tuple[str, float], ...]:
        """The entries that came closest, with their best score."""
        best: dict[str, float] = {}
        for record in self.records:
            for entry_id, score in record.candidates:
                best[entry_id] = max(best.get(entry_id, 0.0), score)
        return tuple(sorted(best.items(), key=lambda item: -item[1])[:3])


def group_records(records: Iterable[Record]) -> list[Group]:
    """Group questions whose meaningful words are alike; most frequent groups first."""
    leaders: list[tuple[str, list[Record]]] = []
    for record in sorted(records, key=lambda r: r.id):
        words = " ".join(content_words(record.normalized)) or record.normalized
        for leader, members in leaders:
            if fuzz.token_set_ratio(words, leader) >= SIMILAR:
                members.append(record)
                break
        else:
            leaders.append((words, [record]))
    groups = [Group(key=members[0].id, records=tuple(members)) for _, members in leaders]
    groups.sort(key=lambda g: g.last_asked, reverse=True)
    return sorted(groups, key=lambda g: -g.count)


def add_variants(path: Path, entry_id: str, phrasings: Iterable[str]) -> list[str]:
    """Append phrasings to an entry's `variantes` in its YAML file, leaving the rest as is.

    Returns the phrasings actually added (those the entry did not already have).
    """
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    entry = _entry_node(root, entry_id)
    if entry is None:
        raise KeyError(entry_id)
    keys = {key.value: (key, value) for key, value in entry.value}
    existing = [keys["question"][1].value] if "question" in keys else []
    variants = keys.get("variantes")
    if variants is not None:
        existing += [item.value for item in variants[1].value]
    known = {normalize(p) for p in existing}
    added = []
    for phrasing in phrasings:
        phrasing = " ".join(phrasing.split())
        if phrasing and normalize(phrasing) not in known:
            known.add(normalize(phrasing))
            added.append(phrasing)
    if not added:
        return []
    lines = text.splitlines(keepends=True)
    if variants is not None and variants[1].value:
        last = variants[1].value[-1]
        line = lines[last.start_mark.line]
        indent = line[:len(line) - len(line.lstrip())]
        insert_at = last.end_mark.line + (1 if last.end_mark.column > 0 else 0)
        new = [f"{indent}- {json.dumps(p, ensure_ascii=False)}\n" for p in added]
    else:
        question_key = keys["question"][0]
        indent = " " * question_key.start_mark.column
        insert_at = keys["question"][1].end_mark.line + 1
        new = [f"{indent}variantes:\n"] + \
              [f"{indent}  - {json.dumps(p, ensure_ascii=False)}\n" for p in added]
    if insert_at > 0 and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += "\n"
    lines[insert_at:insert_at] = new
    path.write_text("".join(lines), encoding="utf-8")
    return added


def _entry_node(root: yaml.Node | None, entry_id: str) -> yaml.MappingNode | None:
    if not isinstance(root, yaml.SequenceNode):
        return None
    for item in root.value:
        if isinstance(item, yaml.MappingNode):
            for key, value in item.value:
                if key.value == "id" and value.value == entry_id:
                    return item
    return None
