"""The aiohttp client under the bot (bot/channels/telegram/http.py): bodies, uploads,
timeouts and errors as python-telegram-bot expects them, against real HTTP servers."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # how Bot builds its input

from bot.channels.telegram.http import AiohttpRequest
from tests.support.botapi import BotApiEmulator, free_port
from tests.support.http import serve

OK = {"ok": True, "result": True}


@asynccontextmanager
async def client(**options: Any) -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(**options)
    async with request:
        yield request


def data(**values: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(name, value)
                        for name, value in values.items()])


async def test_parameters_travel_as_one_json_body() -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        seen["type"] = request.content_type
        seen["body"] = await request.json()
        return web.json_response(OK)

    markup = {"inline_keyboard": [[{"text": "Élu", "callback_data": "c:1"}]]}
    async with serve(handler) as url, client() as request:
        result = await request.post(url, data(chat_id=7, text="Déjà 140 000 €",
                                              reply_markup=markup))
    assert result is True
    assert seen == {"type": "application/json",
                    "body": {"chat_id": 7, "text": "Déjà 140 000 €", "reply_markup": markup}}


async def test_a_document_is_uploaded_as_multipart(emu: BotApiEmulator) -> None:
    alice = emu.user(11, "Alice")
    chat = emu.private_chat(alice)
    await emu.send_text(chat, alice, "/start")
    bot = Bot(emu.token, base_url=emu.base_url, request=AiohttpRequest())
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Menu", callback_data="m")]])
    async with bot:
        await bot.send_document(chat.id, InputFile(b"%PDF-1.4 fiche", filename="fiche.pdf"),
                                caption="<b>Votre fiche</b>", parse_mode="HTML",
                                reply_markup=keyboard)
    [call] = [c for c in emu.calls if c.method == "sendDocument"]
    assert call.ok
    sent = chat.messages[chat.last_message_id]
    assert sent["caption"] == "Votre fiche"
    assert sent["reply_markup"] == keyboard.to_dict()
    assert emu.state.files[sent["document"]["file_id"]].data == b"%PDF-1.4 fiche"


async def test_accented_file_names_arrive_as_written_and_a_file_handle_can_be_sent_twice(
        ) -> None:
    received: list[tuple[str | None, bytes]] = []

    async def upload(request: web.Request) -> web.Response:
        form = await request.post()
        document = form["document"]
        assert isinstance(document, web.FileField)
        received.append((document.filename, document.file.read()))
        return web.json_response(OK)

    handle = io.BytesIO(b"%PDF-1.4 fiche")
    document = InputFile(handle, filename="délibération.pdf", read_file_handle=False)
    async with serve(upload) as url, client() as request:
        for _ in range(2):  # a retry sends the same RequestData again
            await request.post(url, data(chat_id=1, document=document))
    assert received == [("délibération.pdf", b"%PDF-1.4 fiche")] * 2


async def test_a_silent_server_times_out_after_the_read_timeout() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.5)
        return web.json_response(OK)

    async with serve(slow) as url, client(read_timeout=0.1) as request:
        with pytest.raises(TimedOut):
            await request.post(url, data(chat_id=1))
        # A call may ask for longer (long polling does): it is then answered.
        assert await request.post(url, data(chat_id=1), read_timeout=2.0) is True


async def test_no_server_and_a_dropped_connection_are_network_errors() -> None:
    async def drop(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        await asyncio.sleep(1)
        return web.json_response(OK)

    async with client() as request:
        with pytest.raises(NetworkError) as refused:
            await request.post(f"http://127.0.0.1:{free_port()}/call", data(chat_id=1))
        assert not isinstance(refused.value, TimedOut)
        async with serve(drop) as url:
            with pytest.raises(NetworkError) as dropped:
                await request.post(url, data(chat_id=1))
        assert not isinstance(dropped.value, TimedOut)


async def test_telegram_errors_come_back_as_python_telegram_bot_s() -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 400,
                                  "description": "Bad Request: message text is empty"},
                                 status=400)

    async with serve(refuse) as url, client() as request:
        with pytest.raises(BadRequest, match="Message text is empty"):
            await request.post(url, data(chat_id=1, text=""))


async def test_it_can_be_started_again_after_a_shutdown() -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response(OK)

    request = AiohttpRequest()
    async with serve(answer) as url:
        with pytest.raises(NetworkError, match="not initialized"):
            await request.post(url, data(chat_id=1))
        for _ in range(2):
            async with request:
                assert await request.post(url, data(chat_id=1)) is True
        await request.shutdown()  # twice is harmless



async def test_the_environment_s_proxy_is_used_unless_bypassed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    reached: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        reached.append(str(request.url))
        return web.json_response(OK)

    for variable in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(variable, raising=False)  # lower case would win over ours
        monkeypatch.delenv(variable.upper(), raising=False)
    target = f"http://127.0.0.1:{free_port()}/call"  # nobody listens there
    async with serve(proxy) as proxy_url:
        for variable in ("HTTP_PROXY", "ALL_PROXY"):
            monkeypatch.delenv("HTTP_PROXY", raising=False)
            monkeypatch.setenv(variable, proxy_url.removesuffix("/call"))
            monkeypatch.setenv("NO_PROXY", "localhost")
            async with client() as request:
                assert await request.post(target, data(chat_id=1)) is True
        assert reached == [target, target]
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with client() as request:
            with pytest.raises(NetworkError):
                await request.post(target, data(chat_id=1))
        assert reached == [target, target]
