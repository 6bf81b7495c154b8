"""Telegram channel (python-telegram-bot 22): updates in, the engine's replies out.

`build_application()` is the only place where the bot is wired; `run()` starts it with long
polling (`python -m bot run`) or a webhook (`python -m bot run --webhook`). The handlers are
thin: they turn an update into an `Incoming`, ask `Assistant.handle`, and render each `Outgoing`
(bot/channels/telegram/send.py).

Groups: the assistant answers commands, replies to its messages and mentions of @its_name,
always as a reply to the member's message. That reply is how a press is checked: the buttons
of a message answering Alice are Alice's (the engine keys conversations by chat and member),
so Bob's press is refused with an alert, without any table of owners to keep.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    ChatMemberUpdated,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot import app
from bot.app import Services
from bot.assistant import Assistant
from bot.channels.telegram import webhook as telegram_webhook
from bot.channels.telegram.http import AiohttpRequest
from bot.channels.telegram.limits import (
    PerChatProcessor,
    RetryingRateLimiter,
    production_limiter,
)
from bot.channels.telegram.send import Chats, Target, deliver, typing
from bot.channels.telegram.sweeps import (
    SEND_LIMITS,
    BroadcastService,
    ReminderService,
    shared_turn,
    start_broadcasts,
    start_reminders,
)
from bot.channels.telegram.text import excerpt, mentions, strip_mention
from bot.channels.telegram.updates import TolerantBot
from bot.content.loader import Content
from bot.core import logs, redaction
from bot.core.callbacks import FlowButton
from bot.core.clock import utc_now
from bot.core.config import Settings
from bot.core.replies import Conversation, Incoming, Outgoing
from bot.storage.store import Store
from bot.storage.transactions import storage_trouble, warn_storage

logger = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
GONE_STATUSES = ("kicked", "left")  # the bot was blocked (private) or removed (group)
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
COMMANDS_RETRY = 60.0  # seconds before the command menu is registered again, doubled each time
COMMANDS_RETRY_MAX = 3600.0

# User-facing texts of the channel (French, vouvoiement).
APOLOGY = ("Désolé, un incident technique m'empêche de répondre. Réessayez dans un instant : "
           "vos réponses déjà données sont conservées.")
NOT_YOUR_FLOW = ("Ce questionnaire appartient à un autre membre du groupe : tapez /{command} "
                 "pour lancer le vôtre.")
NOT_YOUR_BUTTONS = ("Ces boutons répondent à un autre membre du groupe : tapez /menu pour "
                    "avoir les vôtres.")


def command_list(assistant: Assistant, *, admin: bool = False) -> list[tuple[str, str]]:
    """The commands for Telegram's menu: those /aide documents, in its order and words
    (the administrators' too when `admin`)."""
    return [(name, (text[:1].upper() + text[1:])[:256])
            for name, text in assistant.registry.listed(admin=admin)]


class TelegramChannel:
    """The handlers of the Application and its start-up and shutdown work."""

    def __init__(self, assistant: Assistant, services: Services,
                 reminders_database: Path | None) -> None:
        self.assistant = assistant
        self.services = services
        self.store = assistant.store
        self.clock = assistant.clock
        self.chats = Chats(self.store, self.clock)
        self.reminders_database = reminders_database
        self.reminders: ReminderService | None = None
        self.broadcasts: BroadcastService | None = None
        self.bot: Any = None
        self.http: tuple[AiohttpRequest, ...] = ()  # the bot's HTTP clients
        self.commands_retry = COMMANDS_RETRY  # first wait before registering the menu again

    # --- lifecycle ----------------------------------------------------------------------

    async def post_init(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Load the chats that blocked the bot, register the commands in French, start the
        reminder sweep (its own connection and Bot: bot/channels/telegram/sweeps.py), then
        the app's services (the retention purge first, bot/app.py)."""
        await self.chats.load()
        self.bot = application.bot
        await self._register_commands()
        self.assistant.reload_listeners.append(self._reloaded)
        if self.reminders_database is not None:
            self.reminders = await start_reminders(application, self.reminders_database,
                                                   clock=self.clock, limits=SEND_LIMITS)
            self.broadcasts = await start_broadcasts(
                application, self.reminders_database, clock=self.clock,
                limiter=self.reminders.sweeper.limiter, leader=self.reminders.leader)
        await self.services.start()
        logger.info("Assistant prêt sur Telegram : @%s", application.bot.username)

    async def register_commands(self) -> None:
        """The command menu in French: everyone's, and the administrators' in their chats."""
        public = [BotCommand(name, text) for name, text in command_list(self.assistant)]
        await self.bot.set_my_commands(public)
        admin = [BotCommand(name, text)
                 for name, text in command_list(self.assistant, admin=True)]
        for admin_id in sorted(self.assistant.admins):
            try:
                await self.bot.set_my_commands(admin, scope=BotCommandScopeChat(admin_id))
            except TelegramError as exc:  # never wrote to the bot: no chat yet
                logger.info("Menu d'administration non enregistré pour %s : %s", admin_id, exc)

    async def _register_commands(self) -> None:
        """Register the menu now, or keep trying in the background (one task at a time)."""
        if await self._try_register_commands():
            return
        if not self.services.running("menu des commandes"):
            self.services.spawn(self._register_commands_later(), "menu des commandes")

    async def _try_register_commands(self) -> bool:
        """Register the menu; a refusal or a failure is logged (the menu is cosmetic: the
        assistant serves without it)."""
        try:
            await self.register_commands()
        except TelegramError as exc:
            logger.warning("Menu des commandes non enregistré (%s) : nouvel essai plus tard",
                           exc)
            return False
        return True

    async def _register_commands_later(self) -> None:
        """Try the menu again in the background, waiting longer after each failure."""
        delay = self.commands_retry
        while True:
            await asyncio.sleep(delay)
            if await self._try_register_commands():
                logger.info("Menu des commandes enregistré")
                return
            delay = min(COMMANDS_RETRY_MAX, delay * 2)

    async def _reloaded(self, content: Content) -> None:
        """New content: its flows may add or remove commands."""
        await self._register_commands()

    async def post_shutdown(self,
                            application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Stop the reminder sweep (sends in flight are finished), close the database (every
        update in hand has been handled by then)."""
        await self.services.stop()
        if self.broadcasts is not None:
            await self.broadcasts.stop()
            self.broadcasts = None
        if self.reminders is not None:
            await self.reminders.stop()
            self.reminders = None
        await self.store.close()
        for request in self.http:  # python-telegram-bot leaves them open if start-up failed
            await request.shutdown()
        logger.info("Base de données fermée, arrêt terminé.")

    # --- handlers -----------------------------------------------------------------------

    async def on_button(self, update: Update, context: Context) -> None:
        """A pressed inline button: answered at once, then the engine's replies edit that
        message (flow navigation) or follow it; another member's buttons are refused."""
        query = update.callback_query
        assert query is not None
        message = query.message
        if message is None:  # a button of an inline message: the assistant sends none
            await self._acknowledge(query, None)
            return
        chat_id = message.chat.id
        owner = _owner(message)
        if owner is not None and owner.from_user is not None and \
                owner.from_user.id != query.from_user.id:
            await query.answer(await self._refusal(chat_id, owner.from_user.id, query),
                               show_alert=True)
            return
        # Answer first: the client stops its spinner, whatever happens next.
        await self._acknowledge(query, chat_id)
        await self._wrote(chat_id)
        conversation = Conversation(chat_id, query.from_user.id)
        with logs.bind(update_id=update.update_id, chat_id=chat_id,
                       user_id=query.from_user.id):
            async with typing(context.bot, chat_id):
                replies = await self.assistant.handle(conversation,
                                                      Incoming.button(query.data or ""))
        pressed = message.message_id if isinstance(message, Message) else None
        target = Target(chat_id, owner.message_id if owner else None, pressed,
                        user_id=query.from_user.id)
        await deliver(context.bot, self.chats, target, replies)

    @staticmethod
    async def _acknowledge(query: CallbackQuery, chat_id: int | None) -> None:
        """Answer a press; an answer that fails (after the rate limiter's retries: an
        expired or unknown query, a network failure) must not lose the press itself."""
        try:
            await query.answer()
        except TelegramError as exc:
            logger.warning("Bouton acquitté sans succès (chat %s) : %s ; il est traité quand "
                           "même", chat_id, exc)

    async def on_private_message(self, update: Update, context: Context) -> None:
        """A message in a private chat: its text (or caption) goes to the engine as is."""
        message = update.message
        assert message is not None
        await self._answer(update, context, message.text or message.caption or "", None)

    async def on_group_message(self, update: Update, context: Context) -> None:
        """A group message: commands, replies to the assistant and @mentions are answered
        (as replies to the member's message); the group's other talk is ignored."""
        message = update.message
        assert message is not None and message.text is not None
        text, username = message.text, context.bot.username
        if text.startswith("/"):
            addressee = text.split(maxsplit=1)[0].partition("@")[2]
            if addressee and addressee.lower() != username.lower():
                return
        elif mentions(text, username):
            text = strip_mention(text, username)
        elif not _replies_to_bot(message, context.bot.id):
            return
        await self._answer(update, context, text, message.message_id)

    async def on_membership(self, update: Update, context: Context) -> None:
        """The bot was blocked or removed from a chat: nothing is sent there any more
        (replies, reminders) until it writes again; unblocked or added back: sent to again."""
        change: ChatMemberUpdated | None = update.my_chat_member
        assert change is not None
        chat_id, status = change.chat.id, change.new_chat_member.status
        if status in GONE_STATUSES:
            reason = f"statut du bot : {status}"
            await self.chats.blocked(chat_id, reason)
            if self.reminders is not None:
                await self.reminders.reminders.block_chat(chat_id, now=self.clock(),
                                                          reason=reason)
        else:
            await self._wrote(chat_id)

    async def on_error(self, update: object, context: Context) -> None:
        """Log the failure with its context (never a whole user text, never the token), then
        tell the user, politely, to try again."""
        if not isinstance(update, Update):
            logger.error("Erreur hors mise à jour", exc_info=context.error)
            return
        chat, user = update.effective_chat, update.effective_user
        query = update.callback_query
        said = f"[bouton {query.data}]" if query else excerpt(
            update.effective_message.text if update.effective_message else None)
        if storage_trouble(context.error):  # the disk, not this update: no traceback each time
            warn_storage(self.store.db, context.error,
                         f"mise à jour {update.update_id} sans réponse")
        else:
            logger.error("Échec de la mise à jour %s (chat %s, utilisateur %s) : %r",
                         update.update_id, chat.id if chat else None,
                         user.id if user else None,
                         said, exc_info=context.error,
                         extra={"update_id": update.update_id,
                                "chat_id": chat.id if chat else None,
                                "user_id": user.id if user else None})
        if query is not None:
            with contextlib.suppress(TelegramError):  # already answered, or too old
                await query.answer()
        if chat is None or not self.chats.active(chat.id):
            return
        reply_to = None
        if chat.type != "private":
            source = _owner(query.message) if query and query.message else update.message
            reply_to = source.message_id if source else None
        try:
            await deliver(context.bot, self.chats, Target(chat.id, reply_to),
                          [Outgoing(text=APOLOGY)])
        except TelegramError as exc:
            logger.warning("Impossible de prévenir le chat %s : %s", chat.id, exc)

    # --- helpers ------------------------------------------------------------------------

    async def _answer(self, update: Update, context: Context, text: str,
                      reply_to: int | None) -> None:
        chat, user = update.effective_chat, update.effective_user
        assert chat is not None and user is not None
        await self._wrote(chat.id)
        with logs.bind(update_id=update.update_id, chat_id=chat.id, user_id=user.id):
            async with typing(context.bot, chat.id):
                replies = await self.assistant.handle(Conversation(chat.id, user.id),
                                                      Incoming.text(text))
        await deliver(context.bot, self.chats, Target(chat.id, reply_to, user_id=user.id),
                      replies)

    async def _wrote(self, chat_id: int) -> None:
        """The chat is talking to us: send to it again (replies and reminders)."""
        await self.chats.wrote(chat_id)
        if self.reminders is not None:
            await self.reminders.user_wrote(chat_id)

    async def _refusal(self, chat_id: int, owner_id: int, query: CallbackQuery) -> str:
        """Why a member cannot press another member's button."""
        if FlowButton.unpack(query.data or "") is not None:
            row = await self.store.conversation(chat_id, owner_id)
            if row is not None and row.flow_id is not None:
                return NOT_YOUR_FLOW.format(command=row.flow_id)
        return NOT_YOUR_BUTTONS


def _owner(message: object) -> Message | None:
    """In a group, the member's message a bot message answers (its buttons are theirs)."""
    if not isinstance(message, Message) or message.chat.type == "private":
        return None
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.is_bot:
        return None
    return replied


def _replies_to_bot(message: Message, bot_id: int) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and \
        replied.from_user.id == bot_id


def build_application(settings: Settings, content: Content, store: Store, *,
                      clock: Callable[[], dt.datetime] = utc_now,
                      rate_limiter: BaseRateLimiter[Any] | None = None,
                      concurrency: int = 64,
                      reminders: bool = True) -> Application[Any, Any, Any, Any, Any, Any]:
    """The Telegram Application: the engine behind, handlers in order, lifecycle hooks.

    The store must be open; it is closed by the Application's post_shutdown. `reminders`
    runs the reminder sweep on settings.database while the Application runs.
    """
    if not settings.telegram_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is required")
    assistant = app.assistant_for(settings, content, store, clock=clock)
    channel = TelegramChannel(assistant, app.services_for(settings, assistant),
                              settings.database if reminders else None)
    channel.http = (AiohttpRequest(connection_pool_size=concurrency),
                    AiohttpRequest(connection_pool_size=1))
    limiter = rate_limiter or production_limiter()
    if isinstance(limiter, RetryingRateLimiter):   # replies wait their turn across replicas
        limiter.turn = shared_turn(store.db, SEND_LIMITS)
    bot = TolerantBot(
        settings.telegram_token, base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        defaults=Defaults(parse_mode=ParseMode.HTML,
                          link_preview_options=LinkPreviewOptions(is_disabled=True)),
        request=channel.http[0], get_updates_request=channel.http[1],
        rate_limiter=limiter)
    application = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(PerChatProcessor(concurrency, chat_lock=store.db.chat_lock))
        .post_init(channel.post_init)
        .post_shutdown(channel.post_shutdown)
        .build()
    )
    # Note: order matters, the first matching handler wins.
    # 1. Button presses: they carry no message text, and must be answered before anything.
    application.add_handler(CallbackQueryHandler(channel.on_button))
    # 2. Private chats: every new message (text, command, or a file/sticker, which the engine
    #    answers with "no text received"); edits of old messages and service messages are not
    #    questions.
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL,
        channel.on_private_message))
    # 3. Groups: text only, and the handler keeps what is addressed to the assistant.
    application.add_handler(MessageHandler(
        filters.UpdateType.MESSAGE & filters.ChatType.GROUPS & filters.TEXT,
        channel.on_group_message))
    # 4. The bot's own membership: blocked, removed, unblocked, added (no reply).
    application.add_handler(ChatMemberHandler(channel.on_membership,
                                              ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(channel.on_error)
    application.bot_data["channel"] = channel
    return application


# --- running ------------------------------------------------------------------------------

def webhook_problems(settings: Settings) -> list[str]:
    """Why the webhook cannot start with these settings (French, for the operator)."""
    problems = []
    if not settings.webhook_secret:
        problems.append("WEBHOOK_SECRET est obligatoire en mode webhook (1 à 256 caractères : "
                        "lettres, chiffres, _ et -).")
    elif not SECRET_TOKEN.fullmatch(settings.webhook_secret):
        problems.append("WEBHOOK_SECRET ne peut contenir que des lettres, des chiffres, _ et - "
                        "(1 à 256 caractères).")
    if not settings.webhook_url:
        problems.append("WEBHOOK_URL est obligatoire en mode webhook (l'adresse publique "
                        "HTTPS du service, par exemple https://mon-app.exemple.fr/telegram).")
    return problems


def webhook_options(settings: Settings, listen: str = "0.0.0.0") -> dict[str, Any]:
    """Arguments of run_webhook / Updater.start_webhook: the path is WEBHOOK_URL's path."""
    assert settings.webhook_url
    return {"listen": listen, "port": settings.port,
            "url_path": urlsplit(settings.webhook_url).path.strip("/"),
            "webhook_url": settings.webhook_url, "secret_token": settings.webhook_secret}


def run(settings: Settings, content: Content, *, webhook: bool = False,
        log_format: str = "text") -> int:
    """Serve Telegram until SIGTERM/SIGINT: the update in hand is finished, the DB closed.
    `log_format` "json" logs one JSON object per event (bot/core/logs.py)."""
    if log_format == "text":
        redaction.configure(settings.telegram_token, settings.webhook_secret)
    else:
        from bot.core import logs  # noqa: PLC0415 - the JSON logs are optional
        logs.configure(log_format, settings.telegram_token, settings.webhook_secret)
    if webhook:
        problems = webhook_problems(settings)
        if problems:
            for problem in problems:
                logger.error(problem)
            return 2
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # run_polling/run_webhook use (then close) this loop
    store = loop.run_until_complete(Store.open(settings.database))
    application = build_application(settings, content, store)
    application.bot_data["channel"].services.reload_on_sighup = True
    try:
        if webhook:
            loop.run_until_complete(telegram_webhook.serve(
                application, webhook_options(settings), ALLOWED_UPDATES))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3)
    except TelegramError as exc:
        logger.error("Telegram a refusé le démarrage : %s", exc)
        return 1
    finally:
        if not loop.is_closed():
            loop.close()
    return 0

