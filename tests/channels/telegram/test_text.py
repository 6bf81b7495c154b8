"""Text rules of the channel without Telegram: splitting long HTML, mentions, log excerpts."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram.text import excerpt, mentions, split_html, strip_mention, utf16_len
from tests.support.botapi.entities import parse_html  # the emulator's strict Telegram HTML parser

WORDS = st.text(alphabet=st.sampled_from("abcdeé àç€&<>\"'\n📅"), min_size=1, max_size=80)


@st.composite
def html_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """Telegram HTML: escaped text, paragraphs, nested b/i/u/a tags."""
    pieces = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["text", "text", "paragraph", "tag"] if depth < 2
                                    else ["text", "paragraph"]))
        if kind == "text":
            pieces.append(html.escape(draw(WORDS), quote=False))
        elif kind == "paragraph":
            pieces.append("\n\n")
        else:
            tag = draw(st.sampled_from(["b", "i", "u", 'a href="https://exemple.fr/?a=1&amp;b"']))
            inner = draw(html_texts(depth + 1))
            pieces.append(f"<{tag}>{inner}</{tag.split()[0]}>")
    return "".join(pieces)


def letters(text: str) -> str:
    """The visible characters, without whitespace (a cut may fall between words)."""
    plain, _ = parse_html(text)
    return "".join(plain.split())


@settings(max_examples=300, deadline=None)
@given(html_texts(), st.integers(min_value=100, max_value=300))  # tags are short
def test_parts_fit_are_valid_html_and_keep_every_character(text: str, limit: int) -> None:
    parts = split_html(text, limit)
    for part in parts:
        assert utf16_len(part) <= limit
        parse_html(part)  # raises on a cut tag, a cut entity or an unbalanced tag
        assert letters(part)
    assert "".join(letters(p) for p in parts) == letters(text)


def test_short_texts_are_untouched_and_blank_ones_dropped() -> None:
    assert split_html("<b>Bonjour</b> !") == ["<b>Bonjour</b> !"]
    assert split_html(" \n ") == []
    assert split_html("<b> </b>") == []


def test_cuts_prefer_paragraphs_then_lines_then_words() -> None:
    first, second = "A" * 50, "B" * 50
    assert split_html(f"{first}\n\n{second}", 80) == [first, second]
    assert split_html(f"{first}\n{second}", 80) == [first, second]
    words = " ".join(["mot"] * 40)
    parts = split_html(words, 50)
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in parts)
    assert all(re.fullmatch(r"mot( mot)*", p) for p in parts)


def test_open_tags_are_closed_and_reopened_across_a_cut() -> None:
    text = "<b>" + "gras " * 30 + "</b>"
    parts = split_html(text, 60)
    assert len(parts) > 1
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_the_bots_mention_is_removed_and_recognised() -> None:
    name = "cnfs_assistant_bot"
    assert strip_mention("@Cnfs_Assistant_Bot combien pour 2 postes ?", name) == \
        "combien pour 2 postes ?"
    assert strip_mention("et pour la Guyane, @cnfs_assistant_bot ?", name) == \
        "et pour la Guyane, ?"
    assert strip_mention("@cnfs_assistant_bot, Guyane", name) == "Guyane"
    assert mentions("merci @cnfs_assistant_bot", name)
    assert not mentions("écrivez à @cnfs_assistant_bot_test", name)
    assert not mentions("contact@cnfs_assistant_bot.fr", name)
    assert not mentions("sans mention", name)


def test_log_excerpts_stop_at_100_characters() -> None:
    assert excerpt(None) == ""
    assert excerpt("court") == "court"
    long = "x" * 150
    assert excerpt(long) == "x" * 100 + "…"
