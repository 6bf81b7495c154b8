"""Text rules of the Telegram channel, without I/O: message splitting, mentions, log excerpts.

Telegram refuses a message over 4 096 characters (UTF-16 code units, counted after the HTML is
parsed). A long reply is cut between paragraphs, else between lines, else between words, and
never inside a tag or an entity; tags open at a cut are closed there and opened again in the
next part, so that every part is valid HTML on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TEXT = 4096
ATOM = re.compile(r"<[^<>]*>|&#?\w+;|[\s\S]")
TAG = re.compile(r"<\s*(/)?\s*([A-Za-z][\w-]*)")
# Break priorities: after a blank line, after a line, after a space, anywhere.
PARAGRAPH, LINE, WORD, ANYWHERE = 3, 2, 1, 0


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(slots=True)
class _Break:
    """A place where the text may be cut, and the tags open there."""

    index: int
    size: int
    priority: int
    open_tags: tuple[tuple[str, str], ...]


def _closing(open_tags: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(open_tags))


def _opening(open_tags: tuple[tuple[str, str], ...]) -> str:
    return "".join(tag for _, tag in open_tags)


def _visible(part: str) -> bool:
    return bool(re.sub(r"<[^<>]*>", "", part).strip())


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` as parts of at most `limit` UTF-16 units, each valid HTML; [] if blank."""
    if utf16_len(text) <= limit:
        return [text] if _visible(text) else []
    atoms = ATOM.findall(text)
    parts: list[str] = []
    start, open_tags = 0, ()
    while start < len(atoms):
        part, start, open_tags = _next_part(atoms, start, open_tags, limit)
        if _visible(part):
            parts.append(part)
    return parts


def _next_part(atoms: list[str], start: int, open_tags: tuple[tuple[str, str], ...],
               limit: int) -> tuple[str, int, tuple[tuple[str, str], ...]]:
    """The longest well-cut part from atoms[start:], the next start and the tags open there."""
    while start < len(atoms) and atoms[start].isspace():
        start += 1
    prefix = _opening(open_tags)
    size = utf16_len(prefix)
    tags = list(open_tags)
    latest: dict[int, _Break] = {}  # the last possible cut of each priority
    index = start
    while index < len(atoms):
        atom = atoms[index]
        grown = size + utf16_len(atom)
        after = _after(tags, atom)
        if grown + utf16_len(_closing(after)) > limit and index > start:
            break
        size, tags = grown, after
        index += 1
        priority = _priority(atoms, index)
        latest[priority] = _Break(index, size, priority, tuple(tags))
    if index >= len(atoms):
        return prefix + "".join(atoms[start:]), index, ()
    cut = _best_cut(latest, limit)
    body = "".join(atoms[start:cut.index]).rstrip()
    return prefix + body + _closing(cut.open_tags), cut.index, cut.open_tags


def _best_cut(latest: dict[int, _Break], limit: int) -> _Break:
    """The best cut that still fills at least half a message, else the best there is."""
    for priority in (PARAGRAPH, LINE, WORD):
        cut = latest.get(priority)
        if cut is not None and cut.size >= limit // 2:
            return cut
    for priority in (PARAGRAPH, LINE, WORD, ANYWHERE):
        if priority in latest:
            return latest[priority]
    raise AssertionError("no atom fits")  # the first atom is always taken


def _after(tags: list[tuple[str, str]], atom: str) -> list[tuple[str, str]]:
    """The open tags once `atom` is written."""
    match = TAG.match(atom) if atom.startswith("<") else None
    if match is None:
        return tags
    closing, name = match.group(1), match.group(2).lower()
    if not closing:
        return [*tags, (name, atom)]
    for position in range(len(tags) - 1, -1, -1):
        if tags[position][0] == name:
            return tags[:position] + tags[position + 1:]
    return tags


def _priority(atoms: list[str], index: int) -> int:
    """How good a cut is just before atoms[index]."""
    previous = atoms[index - 1]
    if previous == "\n":
        return PARAGRAPH if index >= 2 and atoms[index - 2] == "\n" else LINE
    return WORD if previous.isspace() else ANYWHERE


def strip_mention(text: str, username: str) -> str:
    """The text without "@username" (the bot's), as the engine should read it."""
    if not username:
        return text
    pattern = re.compile(rf"(?<![\w@])@{re.escape(username)}\b[,:]?", re.IGNORECASE)
    return re.sub(r"[ \t]{2,}", " ", pattern.sub("", text)).strip()


def mentions(text: str, username: str) -> bool:
    """Whether the text mentions the bot by its @username."""
    return bool(username) and re.search(
        rf"(?<![\w@])@{re.escape(username)}\b", text, re.IGNORECASE) is not None


def excerpt(text: str | None, limit: int = 100) -> str:
    """At most `limit` characters of a user's text, for logs."""
    if not text:
        return ""
    return text if len(text) <= limit else text[:limit] + "…"
