"""Bot API methods: each takes the bot state and normalised parameters, returns a result."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from . import errors
from .entities import HtmlError, parse_html, utf16_len
from .errors import ApiError, bad_request
from .files import MAX_DOWNLOAD, resolve_file
from .state import BotState, CallbackAnswer, Chat, JsonDict, Webhook

Params = dict[str, Any]
Handler = Callable[[BotState, Params], Awaitable[Any]]

METHODS: dict[str, tuple[str, Handler]] = {}  # lower-case name -> (canonical name, handler)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
BUTTON_ACTIONS = {
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
}
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass
class Described:
    """A successful result that also carries Telegram's `description` field."""

    result: Any
    description: str


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API name (lookup is case-insensitive, as Telegram's)."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


# --- helpers ---------------------------------------------------------------------------------


def required(params: Params, name: str) -> Any:
    """Return a parameter or fail like Telegram does for a missing one."""
    value = params.get(name)
    if value is None or value == "":
        raise bad_request(f"Bad Request: {name} is empty")
    return value


def find_chat(state: BotState, params: Params) -> Chat:
    """The chat named by chat_id, or 'chat not found'."""
    chat = state.chat(required(params, "chat_id"))
    if chat is None:
        raise bad_request(errors.CHAT_NOT_FOUND)
    return chat


def writable_chat(state: BotState, params: Params) -> Chat:
    """The chat named by chat_id, if the bot may send to it."""
    chat = find_chat(state, params)
    if chat.blocked:
        raise ApiError(403, errors.BLOCKED if chat.type == "private" else errors.KICKED)
    if chat.type == "private" and not chat.started:
        raise ApiError(403, errors.CANT_INITIATE)
    return chat


def format_text(text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JsonDict]]:
    """Apply parse_mode: HTML is parsed strictly; Markdown modes are kept verbatim."""
    mode = (parse_mode or "").lower()
    if not mode:
        return text, list(entities or [])
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlError as exc:
            raise bad_request(f"Bad Request: can't parse entities: {exc}") from exc
    if mode in ("markdown", "markdownv2"):
        return text, []  # not emulated: the text is stored as sent
    raise bad_request(errors.UNSUPPORTED_PARSE_MODE)


def inline_markup(params: Params, chat: Chat | None = None) -> JsonDict | None:
    """Validate reply_markup; return it if it is an inline keyboard, else None."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request(errors.MARKUP_JSON)
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(errors.MARKUP_JSON)
        for button in (b for row in rows for b in row):
            check_button(button)
        rows = [row for row in rows if row]
        return {"inline_keyboard": rows} if rows else None
    if chat is None:  # edits accept inline keyboards only
        raise bad_request(errors.MARKUP_JSON)
    if "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None
    elif not markup.get("force_reply"):
        raise bad_request(errors.MARKUP_JSON)
    return None


def check_button(button: Any) -> None:
    """Refuse inline buttons Telegram refuses."""
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(errors.MARKUP_JSON)
    if not BUTTON_ACTIONS & button.keys():
        raise bad_request(errors.TEXT_BUTTONS_UNALLOWED)
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise bad_request(errors.BUTTON_DATA_INVALID)
    if "url" in button and not str(button["url"]).strip():
        raise bad_request("Bad Request: BUTTON_URL_INVALID")


def replied_message(chat: Chat, params: Params) -> JsonDict | None:
    """The message replied to (reply_parameters or reply_to_message_id), without nesting."""
    reply = params.get("reply_parameters") or {}
    if not isinstance(reply, dict):
        raise bad_request("Bad Request: can't parse reply parameters JSON object")
    target_id = reply.get("message_id") or params.get("reply_to_message_id")
    if not target_id:
        return None
    target = chat.messages.get(int(target_id))
    if target is None:
        allow = reply.get("allow_sending_without_reply") or params.get(
            "allow_sending_without_reply"
        )
        if allow:
            return None
        raise bad_request(errors.REPLY_NOT_FOUND)
    quoted = copy.deepcopy(target)
    quoted.pop("reply_to_message", None)
    return quoted


def new_bot_message(state: BotState, chat: Chat, params: Params) -> JsonDict:
    """Common fields of a message sent by the bot (after flood control)."""
    markup = inline_markup(params, chat)
    reply = replied_message(chat, params)
    if state.flood is not None:
        state.flood.check(chat.id, chat.type != "private")
    message: JsonDict = {
        "message_id": chat.new_message_id(),
        "from": state.bot.to_api(),
        "chat": chat.to_api(),
        "date": state.now(),
    }
    if reply is not None:
        message["reply_to_message"] = reply
    if markup is not None:
        message["reply_markup"] = markup
    return message


def own_message(state: BotState, params: Params, not_found: str) -> JsonDict:
    """The bot message targeted by an edit."""
    if params.get("inline_message_id"):
        raise bad_request(not_found)  # inline messages are not emulated
    chat = find_chat(state, params)
    message = chat.messages.get(int(required(params, "message_id")))
    if message is None:
        raise bad_request(not_found)
    if message["from"]["id"] != state.bot.id:
        raise bad_request(errors.CANT_EDIT)
    return message


def set_optional(message: JsonDict, key: str, value: Any) -> None:
    """Set `key` when value is truthy, remove it otherwise (Bot API omits empty fields)."""
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def edited(state: BotState, message: JsonDict) -> JsonDict:
    """Date an edit, wake whoever waits for a change, and return a copy of the message."""
    message["edit_date"] = state.now()
    state.changes.notify()
    return copy.deepcopy(message)


def message_text(params: Params, too_long: str) -> tuple[str, list[JsonDict]]:
    """Text and entities after parse_mode; refused when blank or over MAX_TEXT UTF-16 units."""
    text, entities = format_text(
        params.get("text") or "", params.get("parse_mode"), params.get("entities")
    )
    if not text.strip():
        raise bad_request(errors.TEXT_EMPTY)
    if utf16_len(text) > MAX_TEXT:
        raise bad_request(too_long)
    return text, entities


def caption_fields(params: Params) -> JsonDict:
    """Caption and caption_entities of a media message."""
    caption, entities = format_text(
        params.get("caption") or "", params.get("parse_mode"), params.get("caption_entities")
    )
    if utf16_len(caption) > MAX_CAPTION:
        raise bad_request(errors.CAPTION_TOO_LONG)
    fields: JsonDict = {}
    set_optional(fields, "caption", caption)
    set_optional(fields, "caption_entities", entities)
    return fields


def scope_key(params: Params) -> tuple[str, str]:
    """Key of a (scope, language_code) command list."""
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("Bad Request: can't parse BotCommandScope JSON object")
    scope = dict(scope)
    for key in ("chat_id", "user_id"):
        if isinstance(scope.get(key), str) and scope[key].lstrip("-").isdigit():
            scope[key] = int(scope[key])
    return json.dumps(scope, sort_keys=True), params.get("language_code") or ""


# --- getMe and updates ----------------------------------------------------------------------


@method("getMe")
async def get_me(state: BotState, params: Params) -> JsonDict:
    """The bot's User, with the bot-only fields PTB reads."""
    return {
        **state.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not state.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getUpdates")
async def get_updates(state: BotState, params: Params) -> list[JsonDict]:
    """Long polling: answer as soon as an update is pending, or after `timeout` seconds."""
    if state.webhook is not None:
        raise ApiError(409, errors.WEBHOOK_ACTIVE)
    queue = state.updates
    if params.get("offset") is not None:
        queue.confirm(params["offset"])
    if params.get("allowed_updates") is not None:
        queue.allowed = set(params["allowed_updates"]) or None
    limit = min(max(params.get("limit") or 100, 1), 100)
    queue.poll_generation += 1
    generation = queue.poll_generation
    state.changes.notify()  # an older long poll, if any, is terminated
    await state.changes.wait_for(
        lambda: (
            bool(queue.pending)
            or queue.poll_generation != generation
            or state.webhook is not None
            or state.closed
        ),
        max(params.get("timeout") or 0, 0),
    )
    if queue.poll_generation != generation:
        raise ApiError(409, errors.OTHER_GET_UPDATES)
    if state.webhook is not None:
        raise ApiError(409, errors.WEBHOOK_ACTIVE)
    return copy.deepcopy(queue.pending[:limit])


@method("setWebhook")
async def set_webhook(state: BotState, params: Params) -> Described:
    """Set (or with an empty url, remove) the webhook; updates are then POSTed to it."""
    url = params.get("url") or ""
    if not url:
        state.webhook = None
        return Described(True, "Webhook was deleted")
    if not url.startswith(("http://", "https://")):
        raise bad_request("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
        raise bad_request("Bad Request: secret token contains unallowed characters")
    if params.get("drop_pending_updates"):
        state.updates.drop()
    if params.get("allowed_updates") is not None:
        state.updates.allowed = set(params["allowed_updates"]) or None
    state.webhook = Webhook(
        url=url,
        secret_token=secret,
        max_connections=params.get("max_connections") or 40,
        ip_address=params.get("ip_address"),
    )
    return Described(True, "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(state: BotState, params: Params) -> Described:
    """Remove the webhook, optionally dropping pending updates."""
    if params.get("drop_pending_updates"):
        state.updates.drop()
    existed, state.webhook = state.webhook is not None, None
    return Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(state: BotState, params: Params) -> JsonDict:
    """WebhookInfo; url is empty when no webhook is set."""
    return webhook_info(state)


def webhook_info(state: BotState) -> JsonDict:
    """The WebhookInfo object for the current state."""
    hook = state.webhook
    info: JsonDict = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates.pending),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        for key in ("ip_address", "last_error_date", "last_error_message"):
            if getattr(hook, key) is not None:
                info[key] = getattr(hook, key)
        if state.updates.allowed:
            info["allowed_updates"] = sorted(state.updates.allowed)
    return info


# --- commands -------------------------------------------------------------------------------


@method("setMyCommands")
async def set_my_commands(state: BotState, params: Params) -> bool:
    """Store the command list of a scope and language; an empty list deletes it."""
    commands = params.get("commands") or []
    if not isinstance(commands, list):
        raise bad_request("Bad Request: can't parse commands JSON object")
    for command in commands:
        for key in ("command", "description"):
            if not isinstance(command, dict) or key not in command:
                missing = f'Can\'t find field "{key}"'
                raise bad_request(f"Bad Request: can't parse BotCommand: {missing}")
        if not _COMMAND_NAME.fullmatch(str(command["command"])):
            raise bad_request(errors.COMMAND_INVALID)
        if not str(command["description"]).strip():
            raise bad_request(errors.COMMAND_DESCRIPTION_EMPTY)
        if len(str(command["description"])) > 256:
            raise bad_request("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
    key = scope_key(params)
    if commands:
        state.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        state.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(state: BotState, params: Params) -> list[JsonDict]:
    """The command list of exactly this scope and language (no fallback)."""
    return copy.deepcopy(state.commands.get(scope_key(params), []))


@method("deleteMyCommands")
async def delete_my_commands(state: BotState, params: Params) -> bool:
    """Delete the command list of a scope and language."""
    state.commands.pop(scope_key(params), None)
    return True


# --- messages -------------------------------------------------------------------------------


@method("sendMessage")
async def send_message(state: BotState, params: Params) -> JsonDict:
    """Send a text message; length is checked after entity parsing, in UTF-16 units."""
    chat = writable_chat(state, params)
    text, entities = message_text(params, errors.TEXT_TOO_LONG)
    message = new_bot_message(state, chat, params)
    message["text"] = text
    set_optional(message, "entities", entities)
    return state.add_message(chat, message)


@method("editMessageText")
async def edit_message_text(state: BotState, params: Params) -> JsonDict:
    """Edit a bot text message; omitting reply_markup removes the inline keyboard."""
    message = own_message(state, params, errors.EDIT_NOT_FOUND)
    if "text" not in message:
        raise bad_request(errors.NO_TEXT_TO_EDIT)
    text, entities = message_text(params, errors.EDIT_TOO_LONG)
    markup = inline_markup(params)
    same = (text, entities, markup) == (
        message["text"],
        message.get("entities", []),
        message.get("reply_markup"),
    )
    if same:
        raise bad_request(errors.NOT_MODIFIED)
    message["text"] = text
    set_optional(message, "entities", entities)
    set_optional(message, "reply_markup", markup)
    return edited(state, message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: BotState, params: Params) -> JsonDict:
    """Replace (or, when omitted, remove) the inline keyboard of a bot message."""
    message = own_message(state, params, errors.EDIT_NOT_FOUND)
    markup = inline_markup(params)
    if markup == message.get("reply_markup"):
        raise bad_request(errors.NOT_MODIFIED)
    set_optional(message, "reply_markup", markup)
    return edited(state, message)


@method("deleteMessage")
async def delete_message(state: BotState, params: Params) -> bool:
    """Delete a message from the chat (people no longer see it)."""
    chat = find_chat(state, params)
    message = chat.messages.pop(int(required(params, "message_id")), None)
    if message is None:
        raise bad_request(errors.DELETE_NOT_FOUND)
    chat.deleted[message["message_id"]] = message
    return True


@method("answerCallbackQuery")
async def answer_callback_query(state: BotState, params: Params) -> bool:
    """Answer a pending callback query, once."""
    text = params.get("text")
    if text and utf16_len(text) > 200:
        raise bad_request("Bad Request: MESSAGE_TOO_LONG")
    query_id = str(required(params, "callback_query_id"))
    if state.open_queries.pop(query_id, None) is None:
        raise bad_request(errors.QUERY_INVALID)
    state.callback_answers.append(
        CallbackAnswer(
            callback_query_id=query_id,
            text=text,
            show_alert=bool(params.get("show_alert")),
            url=params.get("url"),
            at=time.monotonic(),
        )
    )
    return True


@method("sendChatAction")
async def send_chat_action(state: BotState, params: Params) -> bool:
    """Record a chat action ("typing", ...)."""
    chat = writable_chat(state, params)
    action = params.get("action")
    if action not in CHAT_ACTIONS:
        raise bad_request(errors.WRONG_ACTION)
    chat.actions.append(action)
    return True


# --- files ----------------------------------------------------------------------------------


def send_file(state: BotState, params: Params, kind: str, *, sizes: bool = False) -> JsonDict:
    """Send the file of parameter `kind` with its caption; `sizes`: as a list of one size."""
    chat = writable_chat(state, params)
    captions = caption_fields(params)
    stored = resolve_file(state, params.get(kind), kind)
    message = new_bot_message(state, chat, params)
    message[kind] = [stored.to_api()] if sizes else stored.to_api()
    message.update(captions)
    return state.add_message(chat, message)


@method("sendDocument")
async def send_document(state: BotState, params: Params) -> JsonDict:
    """Send a document (multipart upload or a known file_id)."""
    return send_file(state, params, "document")


@method("sendPhoto")
async def send_photo(state: BotState, params: Params) -> JsonDict:
    """Send a photo (PNG, GIF or JPEG upload, or a known file_id); one PhotoSize."""
    return send_file(state, params, "photo", sizes=True)


@method("getFile")
async def get_file(state: BotState, params: Params) -> JsonDict:
    """File object with the path to download from /file/bot<token>/<file_path>."""
    stored = state.files.get(str(required(params, "file_id")))
    if stored is None:
        raise bad_request(errors.INVALID_FILE_ID)
    if len(stored.data) > MAX_DOWNLOAD:
        raise bad_request(errors.FILE_TOO_BIG)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }
