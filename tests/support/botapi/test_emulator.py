"""The emulator against the real python-telegram-bot: Bot, Application, polling, webhook."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import time
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from .emulator import BotApiEmulator, free_port
from .entities import parse_html
from .faults import FloodLimits
from .files import tiny_png

Context = ContextTypes.DEFAULT_TYPE


def keyboard(*data: str) -> InlineKeyboardMarkup:
    """One row of callback buttons labelled and keyed by `data`."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


def seconds(value: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after as seconds, whichever type PTB returns."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


async def raw_call(
    emu: BotApiEmulator, method: str, token: str | None = None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """POST (or GET with http="GET") to the emulator without PTB; returns status and JSON."""
    http = kwargs.pop("http", "POST")
    url = f"{emu.url}/bot{token or emu.token}/{method}"
    async with aiohttp.ClientSession() as session, session.request(http, url, **kwargs) as resp:
        return resp.status, await resp.json()


@asynccontextmanager
async def polling_app(
    emu: BotApiEmulator, *handlers: BaseHandler[Any, Any, Any]
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A real Application polling the emulator with the given handlers."""
    app = emu.application_builder().build()
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=2)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def echo(update: Update, context: Context) -> None:
    """Repeat the user's text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


# --- Bot API objects and errors through telegram.Bot ----------------------------------------


@pytest.mark.asyncio
async def test_get_me_is_a_bot(bot: Bot, emu: BotApiEmulator) -> None:
    me = await bot.get_me()
    assert me.is_bot is True
    assert me.username == "emulated_bot"
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False  # privacy mode on by default
    assert emu.calls[0].method == "getMe"


@pytest.mark.asyncio
async def test_send_message_renders_html_and_buttons(bot: Bot, emu: BotApiEmulator) -> None:
    alice = emu.user(11, "Alice", "alice")
    chat = emu.private_chat(alice)
    await emu.send_text(chat, alice, "hi")
    sent = await bot.send_message(
        chat.id, "<b>Bonjour</b> &amp; bienvenue", parse_mode="HTML", reply_markup=keyboard("go")
    )
    assert sent.text == "Bonjour & bienvenue"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 7)]
    assert sent.message_id == 2  # per-chat ids: Alice's message was 1
    assert sent.from_user is not None and sent.from_user.is_bot
    view = emu.last_bot_message(chat)
    assert (view.text, view.buttons, view.edited) == (
        "Bonjour & bienvenue",
        [[("go", "go")]],
        False,
    )
    assert isinstance(view.raw["date"], int)
    assert abs(view.raw["date"] - time.time()) < 5  # seconds, not milliseconds

    bob = emu.user(12, "Bob")
    other = emu.private_chat(bob)
    await emu.send_text(other, bob, "salut")
    assert (await bot.send_message(other.id, "x")).message_id == 2


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ],
    ids=["unclosed", "unmatched", "unknown-tag", "bare-lt"],
)
async def test_invalid_html_is_refused(
    bot: Bot, emu: BotApiEmulator, text: str, error: str
) -> None:
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice, started=True)
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(chat.id, text, parse_mode="HTML")
    # PTB strips "Bad Request: " and capitalize()s the rest, which lower-cases it
    assert caught.value.message == f"Can't parse entities: {error}".capitalize()


@pytest.mark.asyncio
async def test_text_length_limits(bot: Bot, emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(11, "Alice"), started=True)
    await bot.send_message(chat.id, "a" * 4096)
    await bot.send_message(chat.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    for text in ("a" * 4097, "😀" * 2049):  # 2049 emoji are 4098 UTF-16 code units
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            await bot.send_message(chat.id, text)
    for text in ("   ", "<b></b>"):
        with pytest.raises(BadRequest, match=r"^Message text is empty$"):
            await bot.send_message(chat.id, text, parse_mode="HTML")


@pytest.mark.asyncio
async def test_callback_data_must_be_1_to_64_bytes(bot: Bot, emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(11, "Alice"), started=True)
    await bot.send_message(chat.id, "ok", reply_markup=keyboard("x" * 64))
    for data in ("x" * 65, "é" * 33):  # 33 × 2 bytes in UTF-8
        with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
            await bot.send_message(chat.id, "no", reply_markup=keyboard(data))
    plain = InlineKeyboardMarkup([[InlineKeyboardButton("just text")]])
    with pytest.raises(BadRequest, match="Text buttons are unallowed"):
        await bot.send_message(chat.id, "no", reply_markup=plain)


@pytest.mark.asyncio
async def test_edits_and_not_modified(bot: Bot, emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(11, "Alice"), started=True)
    sent = await bot.send_message(chat.id, "v1", reply_markup=keyboard("a"))
    with pytest.raises(BadRequest) as caught:
        await bot.edit_message_text("v1", chat.id, sent.message_id, reply_markup=keyboard("a"))
    assert caught.value.message == (
        "Message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
    edited = await bot.edit_message_text("v2", chat.id, sent.message_id)
    assert isinstance(edited, type(sent)) and edited.edit_date is not None
    view = emu.last_bot_message(chat)
    assert (view.text, view.buttons, view.edited) == ("v2", [], True)  # keyboard removed
    await bot.edit_message_reply_markup(chat.id, sent.message_id, reply_markup=keyboard("b"))
    assert emu.last_bot_message(chat).buttons == [[("b", "b")]]
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_reply_markup(chat.id, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("v3", chat.id, 999)
    with pytest.raises(BadRequest, match=r"^Message_too_long$"):
        await bot.edit_message_text("a" * 4097, chat.id, sent.message_id)


@pytest.mark.asyncio
async def test_replies_and_deletes(bot: Bot, emu: BotApiEmulator) -> None:
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice)
    said = await emu.send_text(chat, alice, "question")
    answer = await bot.send_message(chat.id, "answer", reply_to_message_id=said["message_id"])
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "question"
    follow_up = await emu.send_text(chat, alice, "thanks", reply_to=answer.message_id)
    assert follow_up["reply_to_message"]["message_id"] == answer.message_id
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(chat.id, "x", reply_to_message_id=999)
    assert await bot.delete_message(chat.id, answer.message_id) is True
    assert [m.text for m in emu.messages(chat)] == ["question", "thanks"]
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(chat.id, answer.message_id)


@pytest.mark.asyncio
async def test_callback_query_is_answered_once(bot: Bot, emu: BotApiEmulator) -> None:
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice, started=True)
    sent = await bot.send_message(chat.id, "pick", reply_markup=keyboard("a", "b"))
    query = await emu.press(chat, alice, sent.message_id, "b")
    again = await emu.press(chat, alice, sent.message_id, "a")
    assert query["chat_instance"] == again["chat_instance"]  # stable per chat
    updates = await bot.get_updates(timeout=0)
    received = updates[0].callback_query
    assert received is not None and received.data == "b"
    assert received.message is not None and received.message.message_id == sent.message_id
    assert await bot.answer_callback_query(received.id, text="noted") is True
    assert emu.answer_to(query) is not None and emu.callback_answers[0].text == "noted"
    for query_id in (received.id, "123"):
        with pytest.raises(BadRequest, match=r"^Query is too old and response timeout expired"):
            await bot.answer_callback_query(query_id)
    with pytest.raises(LookupError):
        await emu.press(chat, alice, sent.message_id, "c")
    group = emu.group_chat(-100, "Club", [alice])
    in_group = await bot.send_message(group.id, "pick", reply_markup=keyboard("a"))
    other = await emu.press(group, alice, in_group.message_id, "a")
    assert other["chat_instance"] != query["chat_instance"]


@pytest.mark.asyncio
async def test_documents_and_photos_round_trip(bot: Bot, emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(11, "Alice"), started=True)
    sent = await bot.send_document(chat.id, b"col1;col2\n", filename="export.csv", caption="CSV")
    assert sent.document is not None and sent.document.file_name == "export.csv"
    assert sent.document.mime_type == "text/csv"
    downloaded = await (await sent.document.get_file()).download_as_bytearray()
    assert bytes(downloaded) == b"col1;col2\n"
    view = emu.last_bot_message(chat)
    assert view.text == "CSV" and view.document is not None
    assert view.document.data == b"col1;col2\n"
    again = await bot.send_document(chat.id, sent.document.file_id)  # reuse by file_id
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id

    photo = await bot.send_photo(chat.id, tiny_png(3, 2))
    assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)
    assert emu.last_bot_message(chat).photo is not None
    with pytest.raises(BadRequest, match=r"^Image_process_failed$"):
        await bot.send_photo(chat.id, b"not an image")
    with pytest.raises(BadRequest, match=r"^Type of file mismatch$"):
        await bot.send_photo(chat.id, sent.document.file_id)


@pytest.mark.asyncio
async def test_user_document_is_downloadable_by_the_bot(bot: Bot, emu: BotApiEmulator) -> None:
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice)
    await emu.send_document(chat, alice, b"%PDF-1.4", "cv.pdf", mime_type="application/pdf")
    message = (await bot.get_updates(timeout=0))[0].message
    assert message is not None and message.document is not None
    data = await (await message.document.get_file()).download_as_bytearray()
    assert bytes(data) == b"%PDF-1.4"


@pytest.mark.asyncio
async def test_chat_access_errors(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(424242, "hello?")
    silent = emu.private_chat(emu.user(13, "Carol"))
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(silent.id, "hello?")
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice)
    await emu.send_text(chat, alice, "hi")
    emu.block_chat(chat)
    with pytest.raises(Forbidden) as caught:
        await bot.send_message(chat.id, "still there?")
    assert caught.value.message == "Forbidden: bot was blocked by the user"
    with pytest.raises(Forbidden):
        await bot.send_chat_action(chat.id, "typing")
    emu.unblock_chat(chat)
    await bot.send_chat_action(chat.id, "typing")
    assert emu.chat_actions(chat) == ["typing"]


@pytest.mark.asyncio
async def test_my_commands_round_trip(bot: Bot, emu: BotApiEmulator) -> None:
    commands = [("start", "Démarrer"), ("aide", "Obtenir de l'aide")]
    assert await bot.set_my_commands(commands) is True
    assert await bot.set_my_commands([("start", "Start")], language_code="en") is True
    assert [(c.command, c.description) for c in await bot.get_my_commands()] == commands
    english = await bot.get_my_commands(language_code="en")
    assert [c.command for c in english] == ["start"]
    assert await bot.get_my_commands(language_code="de") == ()
    assert emu.commands() == [{"command": c, "description": d} for c, d in commands]
    call = emu.calls_to("setMyCommands")[0]
    assert call.params["commands"][0] == {"command": "start", "description": "Démarrer"}
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([("Start", "capital letters are refused")])
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == ()


# --- faults ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_injected_http_faults(bot: Bot, emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(11, "Alice"), started=True)
    emu.fail_next("sendMessage", kind="429", retry_after=3)
    with pytest.raises(RetryAfter) as flood, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        await bot.send_message(chat.id, "x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert seconds(flood.value.retry_after) == 3
    emu.fail_next("sendMessage", kind="500")
    with pytest.raises(NetworkError) as failure:
        await bot.send_message(chat.id, "x")
    assert type(failure.value) is NetworkError
    assert failure.value.message == "Internal Server Error"
    emu.fail_next("sendMessage", kind="disconnect")
    with pytest.raises(NetworkError, match="RemoteProtocolError"):
        await bot.send_message(chat.id, "x")
    await bot.send_message(chat.id, "finally")
    assert [c.fault for c in emu.calls_to("sendMessage")] == ["429", "500", "disconnect", None]
    assert [m.text for m in emu.bot_messages(chat)] == ["finally"]


@pytest.mark.asyncio
async def test_timeout_fault_can_still_take_effect(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(11, "Alice"), started=True)
    async with emu.make_bot(request=HTTPXRequest(read_timeout=0.2)) as bot:
        emu.fail_next("sendMessage", kind="timeout", hold=5)
        with pytest.raises(TimedOut):
            await bot.send_message(chat.id, "lost")
        emu.fail_next("sendMessage", kind="timeout", hold=5, applied=True)
        with pytest.raises(TimedOut):
            await bot.send_message(chat.id, "sent but unanswered")
    assert [m.text for m in emu.bot_messages(chat)] == ["sent but unanswered"]


@pytest.mark.asyncio
async def test_flood_limits_and_rates(bot: Bot, emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(11, "Alice"), started=True)
    for text in ("a", "b", "c"):
        await bot.send_message(chat.id, text)
    assert emu.max_rate(chat) == 3
    emu.set_flood_limits(FloodLimits(per_chat_per_second=1, per_group_per_minute=None))
    await bot.send_message(chat.id, "d")
    with pytest.raises(RetryAfter), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        await bot.send_message(chat.id, "e")
    assert len(emu.send_times(chat)) == 4


# --- HTTP surface ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_http_envelopes_and_encodings(emu: BotApiEmulator) -> None:
    chat = emu.private_chat(emu.user(11, "Alice"), started=True)
    status, body = await raw_call(emu, "getMe", http="GET")
    assert status == 200 and set(body) == {"ok", "result"} and body["result"]["is_bot"]
    markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    status, body = await raw_call(
        emu, "sendMessage", data={"chat_id": "11", "text": "form", "reply_markup": markup}
    )
    assert status == 200 and body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    status, body = await raw_call(
        emu, "SENDMESSAGE", json={"chat_id": chat.id, "text": "json", "disable_notification": True}
    )
    assert status == 200 and body["result"]["message_id"] == 2
    status, body = await raw_call(emu, "sendMessage", json={"chat_id": chat.id, "text": ""})
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"},
    )
    emu.fail_next("getMe", kind="429", retry_after=7)
    status, body = await raw_call(emu, "getMe")
    assert status == 429 and body["parameters"] == {"retry_after": 7}
    status, body = await raw_call(emu, "getMe", token="1:wrong")
    assert (status, body["description"]) == (401, "Unauthorized")
    status, body = await raw_call(emu, "sendSticker", json={"chat_id": chat.id})
    assert (status, body["description"]) == (404, "Not Found")
    assert emu.unsupported_calls == ["sendSticker"]


@pytest.mark.asyncio
async def test_ptb_sees_token_and_endpoint_errors(emu: BotApiEmulator, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("notAMethod")
    with pytest.raises(InvalidToken):
        async with Bot("42:not-the-token", base_url=emu.base_url):
            pass  # __aenter__ calls getMe, gets 401, and shuts the Bot down


@pytest.mark.asyncio
async def test_second_long_poll_terminates_the_first(emu: BotApiEmulator) -> None:
    first = asyncio.create_task(raw_call(emu, "getUpdates", json={"timeout": 5}))
    await emu.wait_until(lambda: len(emu.calls_to("getUpdates")) == 1)
    status, body = await raw_call(emu, "getUpdates", json={"timeout": 0})
    assert (status, body) == (200, {"ok": True, "result": []})
    status, body = await first
    assert status == 409 and body["description"].startswith("Conflict: terminated by other")


# --- updates: long polling, Application, webhook -----------------------------------------------


@pytest.mark.asyncio
async def test_long_polling_answers_as_soon_as_an_update_arrives(
    bot: Bot, emu: BotApiEmulator
) -> None:
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await emu.wait_until(lambda: emu.calls_to("getUpdates"))
    assert not poll.done()
    started = time.monotonic()
    await emu.send_text(chat, alice, "/start now")
    updates = await poll
    assert time.monotonic() - started < 0.5
    message = updates[0].message
    assert message is not None and message.text == "/start now"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 6)]
    await emu.send_text(chat, alice, "second")
    await emu.send_text(chat, alice, "third")
    later = await bot.get_updates(offset=updates[-1].update_id + 1, limit=1, timeout=0)
    assert [u.message.text for u in later if u.message] == ["second"]
    await bot.get_updates(offset=later[-1].update_id + 1, timeout=0)
    assert [u["message"]["text"] for u in emu.pending_updates] == ["third"]


@pytest.mark.asyncio
async def test_group_privacy_mode(bot: Bot, emu: BotApiEmulator) -> None:
    alice = emu.user(11, "Alice")
    group = emu.group_chat(-1001, "Club", [alice], supergroup=True)
    await emu.send_text(group, alice, "just chatting")
    await emu.send_text(group, alice, "/stats@other_bot")
    await emu.send_text(group, alice, "/stats@emulated_bot please")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["/stats@emulated_bot please"]
    message = updates[0].message
    assert message is not None and message.chat.type == "supergroup"
    assert message.entities[0].length == len("/stats@emulated_bot")
    assert emu.messages(group)[0].text == "just chatting"  # people still see it


@pytest.mark.asyncio
async def test_application_polling_round_trip(emu: BotApiEmulator) -> None:
    async def start(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Choisissez", reply_markup=keyboard("a", "b"))

    async def chosen(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"Choix : {query.data}")

    alice = emu.user(11, "Alice", "alice")
    chat = emu.private_chat(alice)
    handlers = (
        CommandHandler("start", start),
        CallbackQueryHandler(chosen),
        MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
    )
    async with polling_app(emu, *handlers):
        sent_at = time.monotonic()
        await emu.send_text(chat, alice, "bonjour")
        [reply] = await emu.wait_for_bot_messages(chat, timeout=3)
        assert reply.text == "bonjour"
        assert time.monotonic() - sent_at < 1.0  # long polling, not interval polling

        await emu.send_text(chat, alice, "/start")
        [menu] = await emu.wait_for_bot_messages(chat)
        query = await emu.press(chat, alice, menu.message_id, "b")
        await emu.wait_until(lambda: emu.last_bot_message(chat).text == "Choix : b")
        assert emu.answer_to(query) is not None
        methods = [c.method for c in emu.calls if c.method != "getUpdates"]
        assert methods.index("answerCallbackQuery") < methods.index("editMessageText")
        assert emu.last_bot_message(chat).buttons == []
        await emu.wait_updates_consumed()


@pytest.mark.asyncio
async def test_application_webhook_round_trip(emu: BotApiEmulator) -> None:
    port = free_port()
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice)
    app = emu.application_builder().build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        webhook_url=f"http://127.0.0.1:{port}/hook",
        secret_token="s3cret",
    )
    try:
        assert emu.state.webhook is not None and emu.state.webhook.secret_token == "s3cret"
        await emu.send_text(chat, alice, "par webhook")
        [reply] = await emu.wait_for_bot_messages(chat, timeout=3)
        assert reply.text == "par webhook"
        assert "last_error_message" not in emu.webhook_info()
        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await app.bot.get_updates()
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{port}/hook",
                json={"update_id": 999},
                headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
            ) as refused,
        ):
            assert refused.status == 403
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.mark.asyncio
async def test_webhook_failures_are_reported(bot: Bot, emu: BotApiEmulator) -> None:
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice)
    await bot.set_webhook(f"http://127.0.0.1:{free_port()}/nobody")
    await emu.send_text(chat, alice, "hello?")
    await emu.wait_until(lambda: "last_error_message" in emu.webhook_info())
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Connection refused"
    assert info.pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert (await bot.get_webhook_info()).url == ""
    assert emu.pending_updates == []


# --- HTML parsing properties ----------------------------------------------------------------


@given(st.text())
def test_escaped_text_parses_to_itself(text: str) -> None:
    assert parse_html(html.escape(text)) == (text, [])


@given(st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="<>&"), min_size=1))
def test_bold_entity_spans_the_text_in_utf16_units(text: str) -> None:
    plain, entities = parse_html(f"x<b>{text}</b>")
    assert plain == "x" + text
    assert entities == [
        {"type": "bold", "offset": 1, "length": len(text.encode("utf-16-le")) // 2}
    ]
