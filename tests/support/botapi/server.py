"""HTTP side: aiohttp server for /bot<token>/<method>, file downloads and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web

from . import errors
from .errors import ApiError, bad_request
from .faults import Fault, FaultPlan
from .files import Upload
from .methods import METHODS, Described, Handler
from .state import BotState, JsonDict, Webhook

TOKEN_FORMAT = re.compile(r"\d+:[A-Za-z0-9_-]+")
INT_PARAMS = {
    "message_id",
    "offset",
    "limit",
    "reply_to_message_id",
    "max_connections",
    "cache_time",
    "message_thread_id",
    "user_id",
}
BOOL_PARAMS = {
    "show_alert",
    "disable_notification",
    "protect_content",
    "drop_pending_updates",
    "disable_web_page_preview",
    "allow_sending_without_reply",
    "disable_content_type_detection",
    "has_spoiler",
    "show_caption_above_media",
    "allow_paid_broadcast",
}
JSON_PARAMS = {
    "reply_markup",
    "reply_parameters",
    "link_preview_options",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "allowed_updates",
}
_dumps = partial(json.dumps, ensure_ascii=False)


@dataclass
class ApiCall:
    """One request received on /bot<token>/<method>, for assertions."""

    method: str  # canonical name ("sendMessage") when known, else as requested
    params: dict[str, Any]  # normalised: ints, bools and JSON objects decoded
    at: float  # time.monotonic() on arrival
    http_method: str = "POST"
    status: int | None = None  # HTTP status; None while in progress, 0 if disconnected
    result: Any = None
    description: str | None = None  # error description, if it failed
    fault: str | None = None  # injected fault kind, if any

    @property
    def ok(self) -> bool:
        """True when the call was answered with ok: true."""
        return self.status == 200


def _to_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_request(f"Bad Request: invalid {name} specified")
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"Bad Request: invalid {name} specified") from None


def _to_float(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise bad_request(f"Bad Request: invalid {name} specified") from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _to_json(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        if name == "reply_markup":
            raise bad_request(errors.MARKUP_JSON) from None
        raise bad_request(f"Bad Request: can't parse {name} JSON object") from None


def normalize(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Decode form strings (PTB sends JSON-encoded values) into the types Telegram expects."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None or isinstance(value, Upload):
            params[name] = value
        elif name in ("chat_id", "from_chat_id"):
            text = str(value)
            params[name] = int(text) if text.lstrip("-").isdigit() else text
        elif name in INT_PARAMS:
            params[name] = _to_int(name, value)
        elif name == "timeout":
            params[name] = _to_float(name, value)
        elif name in BOOL_PARAMS:
            params[name] = _to_bool(value)
        elif name in JSON_PARAMS:
            params[name] = _to_json(name, value)
        else:
            params[name] = value if isinstance(value, str) else _str(value)
    return params


def _str(value: Any) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus JSON, urlencoded or multipart body, files as Upload objects."""
    raw: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return raw
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("Bad Request: can't parse JSON object")
        raw.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                raw[name] = Upload(value.filename, value.content_type, value.file.read())
            else:
                raw[name] = value
    return raw


def _json_response(body: JsonDict, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)


class ApiServer:
    """Serves the Bot API of one BotState on 127.0.0.1 and delivers webhook updates."""

    def __init__(self, state: BotState, faults: FaultPlan, host: str = "127.0.0.1") -> None:
        self.state = state
        self.faults = faults
        self.host = host
        self.calls: list[ApiCall] = []
        self.unsupported: list[str] = []  # method names the emulator does not implement
        self.webhook_retry_delay = 0.05
        self.webhook_timeout = 10.0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()

    async def start(self) -> str:
        """Listen on a free port; return the base URL (http://127.0.0.1:PORT)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.url = f"http://{self.host}:{sock.getsockname()[1]}"
        self._session = aiohttp.ClientSession()
        self._delivery = asyncio.create_task(self._deliver_webhook(), name="botapi-webhook")
        return self.url

    async def close(self) -> None:
        """Stop delivering, release held requests, close the listening socket."""
        self._closing.set()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- Bot API requests -----------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        entry = METHODS.get(name.lower())
        call = ApiCall(entry[0] if entry else name, {}, time.monotonic(), request.method)
        self.calls.append(call)
        try:
            if not TOKEN_FORMAT.fullmatch(token):
                raise ApiError(404, "Not Found")
            if token != self.state.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                self.unsupported.append(name)
                raise ApiError(404, "Not Found")
            call.params = normalize(await read_params(request))
            fault = self.faults.take(call.method)
            if fault is not None:
                return await self._apply_fault(request, call, fault, entry[1])
            return self._success(call, await entry[1](self.state, call.params))
        except ApiError as err:
            call.status, call.description = err.code, err.description
            return _json_response(err.payload(), err.code)
        finally:
            self.state.changes.notify()

    def _success(self, call: ApiCall, result: Any) -> web.Response:
        body: JsonDict = {"ok": True}
        if isinstance(result, Described):
            body["result"], body["description"] = result.result, result.description
        else:
            body["result"] = result
        call.status, call.result = 200, body["result"]
        return _json_response(body)

    async def _apply_fault(
        self, request: web.Request, call: ApiCall, fault: Fault, handler: Handler
    ) -> web.StreamResponse:
        call.fault = fault.kind
        if fault.kind not in ("timeout", "disconnect"):
            raise fault.error()
        if fault.applied:  # the call takes effect, only its answer is lost
            with contextlib.suppress(ApiError):
                call.result = await handler(self.state, call.params)
        if fault.kind == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.hold)
            raise ApiError(504, errors.STATUS_TEXTS[504])
        call.status = 0  # no HTTP answer at all
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError  # aiohttp drops the connection without a response

    # --- file downloads -------------------------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.state.token:
            return _json_response(ApiError(401, "Unauthorized").payload(), 401)
        path = request.match_info["path"]
        stored = next((f for f in self.state.files.values() if f.file_path == path), None)
        if stored is None:
            return _json_response(ApiError(404, "Not Found").payload(), 404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # --- webhook delivery -----------------------------------------------------------------

    async def _deliver_webhook(self) -> None:
        """POST pending updates, one at a time and in order, while a webhook is set."""
        state, queue = self.state, self.state.updates
        while not state.closed:
            ready = await state.changes.wait_for(
                lambda: state.closed or (state.webhook is not None and bool(queue.pending)), 60
            )
            if not ready or state.closed or state.webhook is None:
                continue
            hook, update = state.webhook, queue.pending[0]
            failure = await self._post_update(hook, update)
            if failure is None:
                if update in queue.pending:
                    queue.pending.remove(update)
                    queue.delivered.append(update)
            else:
                hook.last_error_date, hook.last_error_message = state.now(), failure
            state.changes.notify()
            if failure is not None:
                await asyncio.sleep(self.webhook_retry_delay)

    async def _post_update(self, hook: Webhook, update: JsonDict) -> str | None:
        """Deliver one update; return Telegram-style error text on failure."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        try:
            async with self._session.post(
                hook.url, data=_dumps(update).encode(), headers=headers, timeout=timeout
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as exc:
            return f"Connection error: {exc.__class__.__name__}"
