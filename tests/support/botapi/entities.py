"""Text entities: Telegram's HTML parse mode and bot_command detection."""

# Offsets and lengths are in UTF-16 code units, as in the Bot API. HTML errors use tdlib's
# wording ("Unsupported start tag ... at byte offset N", byte offsets in UTF-8).

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ENTITY_BY_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_CHAR_REF = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);?")
_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; the message is tdlib's."""


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Bot API offsets and limits."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the output text
    byte_offset: int
    attrs: dict[str, str] = field(default_factory=dict)
    language: str | None = None


class _HtmlParser:
    """One pass over the source, tracking the output text and the open tags."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0
        self.out: list[str] = []
        self.pos = 0  # UTF-16 length of the output so far
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.pos += utf16_len(text)

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        src = self.src
        while self.i < len(src):
            char = src[self.i]
            if char == "&":
                self.char_ref()
            elif char == "<":
                if src.startswith("</", self.i):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                self.emit(char)
                self.i += 1
        if self.stack:
            name = self.stack[-1].name
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def char_ref(self) -> None:
        match = _CHAR_REF.match(self.src, self.i)
        decoded = _decode_char_ref(match.group(1)) if match else None
        if match is None or decoded is None:
            self.emit("&")  # unsupported entities are kept literally, as tdlib does
            self.i += 1
            return
        self.emit(decoded)
        self.i = match.end()

    def read_name(self, start: int) -> int:
        end = start
        while end < len(self.src) and not self.src[end].isspace() and self.src[end] != ">":
            end += 1
        return end

    def start_tag(self) -> None:
        begin = self.i
        name_end = self.read_name(begin + 1)
        if name_end >= len(self.src):
            raise HtmlError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.src[begin + 1 : name_end].lower()
        if name not in ENTITY_BY_TAG:
            raise HtmlError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attrs, self.i = self.attributes(name_end, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(name, self.pos, self.byte_offset(begin), attrs))

    def attributes(self, index: int, begin: int) -> tuple[dict[str, str], int]:
        """Parse `name="value"`, `name=token` and bare `name` attributes up to '>'."""
        src, attrs = self.src, {}
        pattern = re.compile(r"\s*([^\s=>]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
        while True:
            while index < len(src) and src[index].isspace():
                index += 1
            if index >= len(src):
                raise HtmlError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if src[index] == ">":
                return attrs, index + 1
            match = pattern.match(src, index)
            if match is None:
                raise HtmlError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            value = match.group(2) or ""
            if value[:1] in "\"'" and value:
                value = _unescape(value[1:-1])
            attrs[match.group(1).lower()] = value
            index = match.end()

    def end_tag(self) -> None:
        begin = self.i
        name_end = self.read_name(begin + 2)
        name = self.src[begin + 2 : name_end].lower()
        close = name_end
        while close < len(self.src) and self.src[close].isspace():
            close += 1
        if close >= len(self.src) or self.src[close] != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        if not self.stack:
            raise HtmlError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        tag = self.stack.pop()
        if name and name != tag.name:
            raise HtmlError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.i = close + 1
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.pos - tag.start
        language = tag.attrs.get("class", "")
        parent = self.stack[-1] if self.stack else None
        if tag.name == "code" and parent and parent.name == "pre":
            if language.startswith("language-"):
                parent.language = language.removeprefix("language-")
            return  # <pre><code> is a single pre entity
        if length == 0:
            return
        entity: dict[str, Any] = {
            "type": ENTITY_BY_TAG[tag.name],
            "offset": tag.start,
            "length": length,
        }
        if tag.name == "a":
            if not tag.attrs.get("href"):
                return
            entity["url"] = tag.attrs["href"]
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
        self.entities.append(entity)


def _decode_char_ref(ref: str) -> str | None:
    if ref.startswith("#"):
        digits = ref[1:]
        code = int(digits[1:], 16) if digits[:1] in "xX" else int(digits)
        valid = 0 < code < 0x10FFFF and not 0xD800 <= code <= 0xDFFF
        return chr(code) if valid else None
    return NAMED_ENTITIES.get(ref)


def _unescape(value: str) -> str:
    return _CHAR_REF.sub(lambda m: _decode_char_ref(m.group(1)) or m.group(0), value)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and its entities, or raise HtmlError like Telegram would."""
    return _HtmlParser(source).parse()


def bot_commands(text: str) -> list[dict[str, Any]]:
    """Return the bot_command entities Telegram attaches to a user's text."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group(0)),
        }
        for match in _COMMAND.finditer(text)
    ]
