"""Conversations about the FAQ: welcome, menu, answers with sources, suggestions, fallback."""

from __future__ import annotations

from bot.content.loader import Content
from bot.core import messages
from bot.core.replies import Incoming
from bot.storage.store import Store
from tests.support.chat import FIXED_NOW, Chat, suggesting_chat


async def test_start_shows_welcome_and_menu(chat: Chat, content: Content) -> None:
    await chat.say("/start")
    assert "Bonjour" in chat.text
    assert chat.labels == [item.label for item in content.menu]


async def test_help_and_menu_commands(chat: Chat) -> None:
    await chat.say("/aide")
    assert "/menu" in chat.text
    await chat.say("/menu@cnfs_bot")
    assert chat.labels


async def test_unknown_command_is_named_and_escaped(chat: Chat) -> None:
    await chat.say("/<b>x")
    assert "/&lt;b&gt;x" in chat.text


async def test_canonical_question_gets_its_answer_and_source(chat: Chat,
                                                             content: Content) -> None:
    for entry in content.faq.values():
        replies = await chat.say(entry.question)
        if entry.answer in replies[0].text:
            assert "Source : " in replies[0].text
            break
    else:
        raise AssertionError("no canonical question answered with its own entry")


async def test_related_entries_are_offered(chat: Chat, content: Content) -> None:
    entry = next(e for e in content.faq.values() if e.see_also)
    replies = await chat.assistant.handle(chat.conversation, Incoming.button(f"f:{entry.id}"))
    labels = [b.label for row in replies[0].buttons for b in row]
    assert labels == [content.faq[other].question for other in entry.see_also]


async def test_suggestion_pressed_answers_and_is_recorded(content: Content,
                                                          store: Store) -> None:
    chat = await suggesting_chat(content, store)
    entry = next(iter(content.faq.values()))
    await chat.say(entry.question)
    assert messages.SUGGEST in chat.text
    assert len(chat.labels) <= 4
    assert chat.labels[-1] == messages.NONE_OF_THESE
    await chat.press(entry.question)
    assert entry.answer in chat.text
    [record] = await store.unanswered_to_review()
    assert record.outcome == f"chosen:{entry.id}"


async def test_none_of_these_is_recorded(content: Content, store: Store) -> None:
    chat = await suggesting_chat(content, store)
    await chat.say(next(iter(content.faq.values())).question)
    await chat.press(messages.NONE_OF_THESE)
    assert messages.NONE_CHOSEN in chat.text
    assert chat.labels
    [record] = await store.unanswered_to_review()
    assert record.outcome == "none"


async def test_out_of_scope_gets_fallback_and_is_recorded(chat: Chat, store: Store) -> None:
    await chat.say("Quelle est la recette de la tarte tatin ?")
    assert messages.FALLBACK in chat.text
    assert chat.labels
    [record] = await store.unanswered_to_review()
    assert record.question == "Quelle est la recette de la tarte tatin ?"
    assert record.asked_at == FIXED_NOW.isoformat()


async def test_long_text_gets_a_polite_reply_and_is_not_matched(chat: Chat,
                                                                store: Store) -> None:
    await chat.say("subvention " * 500)
    assert chat.text == messages.TOO_LONG
    assert await store.unanswered_to_review() == []
