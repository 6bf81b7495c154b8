"""Any input gets a polite French reply, never a traceback, and loses nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.assistant import Assistant
from bot.core.replies import Conversation, Incoming

HOSTILE = [
    "", " ", "\x00\x01\x02\x1b[31m", "😀😀😀", "🇫🇷" * 50, "<b>gras</b>",
    "<script>alert(1)</script>",
    "'; DROP TABLE unanswered; --", "a" * 10_000, "é" * 5000, "\u202e\u200b\ufeff", "/",
    "/start@", "/" + "x" * 300, "1" * 400, "%s %d {0} {param}", "\\N{SNOWMAN}",
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_gets_a_polite_reply(assistant: Assistant, text: str) -> None:
    replies = await assistant.handle(Conversation(1, 1), Incoming.text(text))
    assert replies
    for reply in replies:
        assert reply.text.strip()
        assert "<script>" not in reply.text
        assert "Traceback" not in reply.text


@pytest.mark.parametrize("payload", ["", "f:", "f:inexistante", "s:1:x", "n:abc", "zzz",
                                     "c:rm -rf", "s:" + "9" * 40 + ":y", "m:extra"])
async def test_forged_buttons_are_refused_politely(assistant: Assistant, payload: str) -> None:
    replies = await assistant.handle(Conversation(1, 1), Incoming.button(payload))
    assert "Ce bouton n'est plus actif." in replies[0].text


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
async def test_any_text_gets_a_reply(assistant: Assistant, text: str) -> None:
    replies = await assistant.handle(Conversation(2, 2), Incoming.text(text))
    assert replies and all(reply.text.strip() for reply in replies)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.text(max_size=80))
async def test_any_payload_gets_a_reply(assistant: Assistant, payload: str) -> None:
    replies = await assistant.handle(Conversation(3, 3), Incoming.button(payload))
    assert replies and all(reply.text.strip() for reply in replies)
