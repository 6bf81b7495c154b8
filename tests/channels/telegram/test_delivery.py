"""Rendering replies in Telegram (bot/channels/telegram/send.py) over the local Bot API: long
texts in parts, files with their upload action, the typing indicator, payload sizes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import Bot
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.channels.telegram.send import Chats, Target, deliver, typing
from bot.core.callbacks import PayloadTooLong
from bot.core.replies import Attachment, Button, Outgoing
from bot.storage.store import Store
from tests.support.botapi import BotApiEmulator, Chat, tiny_png
from tests.support.chat import FIXED_NOW
from tests.support.telegram import App, Person


@pytest_asyncio.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    """A bare PTB bot on the emulator, with the channel's HTML default."""
    async with ExtBot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url,
                      defaults=Defaults(parse_mode=ParseMode.HTML)) as extbot:
        yield extbot


@pytest_asyncio.fixture
async def chats(tmp_path: Path) -> AsyncIterator[Chats]:
    store = await Store.open(tmp_path / "delivery.sqlite3")
    yield Chats(store, lambda: FIXED_NOW)
    await store.close()


@pytest.fixture
def chat(emu: BotApiEmulator) -> Chat:
    return emu.private_chat(emu.user(11, "Alice"), started=True)


def visible(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()


async def test_a_long_reply_comes_in_valid_parts_with_buttons_on_the_last(
        bot: Bot, emu: BotApiEmulator, chats: Chats, chat: Chat) -> None:
    paragraph = ("<b>Étape {n}</b> : le conseiller suit sa formation, <i>puis la structure "
                 "transmet les justificatifs</i> &amp; les bulletins de salaire. ") * 12
    text = "\n\n".join(paragraph.format(n=n) for n in range(12))
    text = "<b>" + text + "</b>"  # a tag open across every cut
    buttons = ((Button("☰ Menu", "m"),),)
    await deliver(bot, chats, Target(chat.id), [Outgoing(text=text, buttons=buttons)])
    parts = emu.bot_messages(chat)
    assert len(parts) >= 3
    assert all(len((p.text or "").encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert [p.buttons for p in parts] == [[]] * (len(parts) - 1) + [[[("☰ Menu", "m")]]]
    assert visible(" ".join(p.text or "" for p in parts)) == visible(text.replace("&amp;", "&"))
    assert all(e["type"] == "bold" and e["offset"] == 0 for p in parts for e in p.entities[:1])


async def test_files_are_sent_with_their_upload_action(
        bot: Bot, emu: BotApiEmulator, chats: Chats, chat: Chat) -> None:
    ics = Attachment(filename="echeances.ics", data=b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    chart = Attachment(filename="financement.png", data=tiny_png(), kind="photo")
    long_caption = "Votre <b>tableau</b> de financement. " * 40
    await deliver(bot, chats, Target(chat.id), [
        Outgoing(text="Vos échéances, à importer dans votre agenda.", file=ics,
                 buttons=((Button("Mes rappels", "r:l"),),)),
        Outgoing(text=long_caption, file=chart)])
    assert emu.chat_actions(chat) == ["upload_document", "upload_photo"]
    document, caption_text, photo = emu.bot_messages(chat)
    assert document.document is not None and document.document.data == ics.data
    assert document.document.file_name == "echeances.ics"
    assert document.text == "Vos échéances, à importer dans votre agenda."
    assert document.button_data == ["r:l"]
    assert caption_text.text is not None and caption_text.text.startswith("Votre tableau")
    assert photo.photo is not None and photo.photo.data == chart.data and photo.text is None


async def test_a_payload_over_64_bytes_is_refused_before_any_request(
        bot: Bot, emu: BotApiEmulator, chats: Chats, chat: Chat) -> None:
    too_long = "f:" + "é" * 32  # 66 bytes, 34 characters
    with pytest.raises(PayloadTooLong):
        await deliver(bot, chats, Target(chat.id),
                      [Outgoing(text="x", buttons=((Button("x", too_long),),))])
    assert emu.calls_to("sendMessage") == []


async def test_typing_shows_while_a_slow_answer_is_prepared(
        bot: Bot, emu: BotApiEmulator, chat: Chat) -> None:
    async with typing(bot, chat.id, delay=0):
        await emu.wait_until(lambda: emu.chat_actions(chat) == ["typing"], what="typing")
    async with typing(bot, chat.id):  # a quick answer: no indicator
        pass
    assert emu.chat_actions(chat) == ["typing"]


async def test_the_ics_export_arrives_as_a_document_in_telegram(
        app: App, emu: BotApiEmulator, person: Callable[..., Person]) -> None:
    alice = person(11, "Alice")
    await alice.say("/rappels")
    await alice.press("Le conseiller a pris son poste")
    await alice.say("01/03/2021")
    await alice.press("Guadeloupe")
    await alice.press("Programmer ces rappels")
    [document] = await alice.press("Exporter (.ics)")
    assert document.document is not None and document.document.file_name is not None
    assert document.document.file_name.endswith(".ics")
    assert document.document.data.startswith(b"BEGIN:VCALENDAR")
    assert "upload_document" in emu.chat_actions(alice.chat)
