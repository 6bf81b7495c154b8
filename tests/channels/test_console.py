"""The terminal channel: buttons pressed by number or label, numbers typed as answers."""

from __future__ import annotations

import io
from pathlib import Path

from bot.assistant import Assistant
from bot.channels.console import Console, plain
from bot.content.loader import Content


async def test_number_and_label_press_buttons(assistant: Assistant, content: Content,
                                              tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(assistant, out, tmp_path)
    first, second = [(n, item) for n, item in enumerate(content.menu, 1) if item.faq][:2]
    await console.send("/menu")
    assert f"[{first[0]}] {first[1].label}" in out.getvalue()
    replies = await console.send(str(first[0]))
    assert content.faq[first[1].faq or ""].answer in replies[0].text
    await console.send("/menu")
    replies = await console.send(second[1].label.upper())
    assert content.faq[second[1].faq or ""].answer in replies[0].text


async def test_a_typed_number_answers_a_number_question(assistant: Assistant,
                                                        tmp_path: Path) -> None:
    console = Console(assistant, io.StringIO(), tmp_path)
    await console.send("/simulation")
    assert any(b.label.startswith("2") for b in console.buttons)
    replies = await console.send("3")  # [3] is "⬅ Retour": a number question takes 3 posts
    assert "Où se trouve votre structure ?" in replies[-1].text


def test_plain_text_drops_tags_and_entities() -> None:
    assert plain("<b>Montant</b> &amp; <i>source</i>") == "Montant & source"
