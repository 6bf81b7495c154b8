"""Matrix channel (matrix-nio, end-to-end encryption on): room events in, the engine's
replies out.

Thin, like Telegram's: a message becomes an `Incoming` (a typed number or label presses one of
the numbered options last shown to that member: bot/core/options.py), `Assistant.handle`
answers, each `Outgoing` becomes an m.text (and m.file / m.image) event, encrypted in an
encrypted room. Invitations are accepted. In a group room (more than two members) the assistant
answers commands, mentions and replies to its messages, as a reply to the member's message.
A room whose other member left (or that removed the assistant) is suspended like a Telegram
403: no reply, no reminder, until someone writes there again.

Events of one room are handled one at a time, in order; rooms run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import io
import logging
import mimetypes
import signal
import time
from collections import deque
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import aiohttp
import nio

from bot import app
from bot.app import Services
from bot.assistant import Assistant
from bot.channels.matrix import account
from bot.channels.matrix.addressing import addressed, without_fallback
from bot.channels.matrix.identities import Identities
from bot.channels.matrix.render import file_message, message
from bot.channels.matrix.send import send_content
from bot.channels.matrix.shown import ShownOptions
from bot.channels.matrix.sweeps import ReminderSweep, Sweep, start_broadcasts, start_reminders
from bot.content.loader import Content
from bot.core import logs, options, redaction
from bot.core.chat_ids import is_matrix
from bot.core.clock import Clock, utc_now
from bot.core.config import Settings
from bot.core.replies import Conversation, Outgoing
from bot.delivery.errors import Blocked, DeliveryError, RetryLater
from bot.delivery.sweep import SweepConfig
from bot.storage.store import Store

log = logging.getLogger(__name__)
TIMELINE = 100  # messages per room in a sync (more after a stop: fetched page by page)
SYNC_FILTER = {"room": {"timeline": {"limit": TIMELINE}}}
SYNC_TIMEOUT = 30_000  # ms: the long poll of each sync
RETRIES = 5  # replies retried that many times after M_LIMIT_EXCEEDED
RESYNC_PAUSE, RESYNC_PAUSE_MAX = 1.0, 60.0  # seconds before syncing again after a failure
OWN_EVENTS = 4096  # event ids of the assistant's messages kept to recognise replies

APOLOGY = ("Désolé, un incident technique m'empêche de répondre. Réessayez dans un instant : "
           "vos réponses déjà données sont conservées.")
WRITE_PRIVATELY = ("Cette réponse n'est que pour vous : écrivez-moi en message direct pour "
                   "la recevoir.")


class MatrixChannel:
    """The nio client's callbacks, and the channel's start and stop."""

    def __init__(self, client: nio.AsyncClient, assistant: Assistant, services: Services, *,
                 database: Path | None, sweep: SweepConfig | None = None,
                 timeline: int = TIMELINE) -> None:
        self.client = client
        self.assistant = assistant
        self.services = services
        self.store = assistant.store
        self.clock: Clock = assistant.clock
        self.identities = Identities(self.store.db)
        self.shown = ShownOptions(self.store.db)
        self.database = database  # the reminder sweep's (None: no sweep)
        self.sweep = sweep
        self.timeline = timeline
        self.sync_filter = {"room": {"timeline": {"limit": timeline}}}
        self.reminders: ReminderSweep | None = None
        self.broadcasts: Sweep | None = None
        self.inactive: set[int] = set()
        self.own_events: deque[str] = deque(maxlen=OWN_EVENTS)
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._sync: asyncio.Task[None] | None = None

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Device keys published (a new device), first sync (full state; the history of a
        first start is not answered), then the callbacks, pending invitations, the reminder
        sweep, the app's services, and the sync loop in the background."""
        self.inactive = {c for c in await self.store.inactive_chats() if is_matrix(c)}
        if self.client.should_upload_keys:  # a new device publishes its keys before joining
            uploaded = await self.client.keys_upload()
            if isinstance(uploaded, nio.KeysUploadError):
                raise RuntimeError(f"clés de chiffrement refusées : {uploaded}")
        since = self.client.loaded_sync_token
        first = await self.client.sync(timeout=0, sync_filter=self.sync_filter,
                                       full_state=True)
        if isinstance(first, nio.SyncError):
            raise RuntimeError(f"première synchronisation Matrix refusée : {first}")
        if since is not None:  # a restart: what came while we were away is answered
            await self._catch_up(first, since)
        self._add_callbacks()  # (on a first start, the history is not ours to answer)
        for room in list(self.client.invited_rooms.values()):
            await self._join(room.room_id)
        if self.database is not None:  # once the rooms are known
            self.reminders = await start_reminders(self.client, self.database,
                                                   clock=self.clock, config=self.sweep)
            self.broadcasts = await start_broadcasts(
                self.client, self.database, clock=self.clock, config=self.sweep,
                limiter=self.reminders.sweeper.limiter)
        await self.services.start()
        self._sync = asyncio.create_task(self._keep_syncing(), name="synchronisation matrix")
        log.info("Assistant prêt sur Matrix : %s (appareil %s)", self.client.user_id,
                 self.client.device_id)

    async def _keep_syncing(self) -> None:
        """nio's sync loop, started again (after a growing pause) whenever it fails: a
        homeserver that restarts or a network cut must not leave the assistant deaf."""
        pause = RESYNC_PAUSE
        while True:
            started = time.monotonic()
            try:
                await self.client.sync_forever(timeout=SYNC_TIMEOUT,
                                               sync_filter=self.sync_filter)
                return
            except Exception as exc:
                if time.monotonic() - started > RESYNC_PAUSE_MAX:
                    pause = RESYNC_PAUSE  # it had been working for a while: start over
                log.warning("Synchronisation Matrix interrompue (%r) : reprise dans %.0f s",
                            exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, RESYNC_PAUSE_MAX)

    async def _catch_up(self, first: nio.SyncResponse, since: str) -> None:
        """Handle, in order, each room's messages since the last sync before the stop: those
        of the first sync, after the older ones fetched back page by page when it was
        limited."""
        for room_id, joined in first.rooms.join.items():
            room = self.client.rooms.get(room_id)
            if room is None:
                continue
            events = list(joined.timeline.events)
            if joined.timeline.limited:
                events = await self._missed(room_id, joined.timeline.prev_batch, since) + events
            for event in events:
                await self._dispatch(room, event)

    async def _missed(self, room_id: str, start: str | None, since: str) -> list[Any]:
        """A room's events between the sync token `since` and `start`, oldest first
        (decrypted by nio when the keys are known)."""
        older: list[Any] = []
        while start is not None:
            page = await self.client.room_messages(room_id, start=start, end=since,
                                                   limit=self.timeline)
            if not isinstance(page, nio.RoomMessagesResponse) or not page.chunk:
                if not isinstance(page, nio.RoomMessagesResponse):
                    log.warning("Salon %s : messages de l'arrêt non relus (%s)", room_id, page)
                break
            older.extend(page.chunk)
            start = page.end if page.end != start else None
        return older[::-1]

    async def _dispatch(self, room: nio.MatrixRoom, event: Any) -> None:
        """An event of the catch-up, to the callback the sync loop would have called."""
        handlers: list[tuple[Any, Any]] = [
            (nio.RoomMessageText, self.on_text),
            ((nio.RoomMessageMedia, nio.RoomEncryptedMedia), self.on_media),
            (nio.MegolmEvent, self.on_undecryptable),
            (nio.RoomMemberEvent, self.on_member)]
        for kind, handler in handlers:
            if isinstance(event, kind):
                await self._guard(handler)(room, event)
                return

    def _add_callbacks(self) -> None:
        self.client.add_event_callback(self._guard(self.on_text), nio.RoomMessageText)
        self.client.add_event_callback(self._guard(self.on_media),
                                       (nio.RoomMessageMedia, nio.RoomEncryptedMedia))
        self.client.add_event_callback(self._guard(self.on_undecryptable), nio.MegolmEvent)
        self.client.add_event_callback(self._guard(self.on_invite), nio.InviteMemberEvent)
        self.client.add_event_callback(self._guard(self.on_member), nio.RoomMemberEvent)

    async def stop(self) -> None:
        """Stop syncing, finish the messages in hand, stop the sweep and services."""
        if self._sync is not None:
            self._sync.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sync
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for sweep in (self.broadcasts, self.reminders):
            if sweep is not None:
                await sweep.stop()
        self.reminders = self.broadcasts = None
        await self.services.stop()

    # --- callbacks ----------------------------------------------------------------------

    def _guard(self, callback: Any) -> Any:
        """A callback whose failure is logged (nio would swallow it)."""

        async def guarded(room: nio.MatrixRoom, event: Any) -> None:
            try:
                await callback(room, event)
            except Exception:
                log.exception("Échec du traitement de l'événement %s (salon %s)",
                               getattr(event, "event_id", "?"), room.room_id)

        return guarded

    async def on_text(self, room: nio.MatrixRoom, event: nio.RoomMessageText) -> None:
        """A message (decrypted if it was encrypted): handled in its room's turn. The
        assistant's own messages, edits of old messages and notices (other bots) are not
        questions."""
        content = event.source.get("content", {})
        edit = (content.get("m.relates_to") or {}).get("rel_type") == "m.replace"
        if event.sender == self.client.user_id or edit or content.get("msgtype") == "m.notice":
            return
        self._spawn(room.room_id, self._answer(room, event, content))

    async def on_media(self, room: nio.MatrixRoom, event: Any) -> None:
        """A file or image in a direct room: the engine answers that it reads text only."""
        if event.sender != self.client.user_id and not _is_group(room):
            self._spawn(room.room_id, self._answer(room, event, {"body": ""}))

    async def on_undecryptable(self, room: nio.MatrixRoom, event: nio.MegolmEvent) -> None:
        """A message the assistant has no key for: ask the sender's devices for it."""
        log.warning("Message indéchiffrable dans %s (session %s) : clé demandée",
                    room.room_id, event.session_id)
        with contextlib.suppress(nio.LocalProtocolError):
            await self.client.request_room_key(event)

    async def on_invite(self, room: nio.MatrixRoom, event: nio.InviteMemberEvent) -> None:
        """An invitation for the assistant: accepted."""
        if event.state_key == self.client.user_id and event.membership == "invite":
            await self._join(room.room_id)

    async def on_member(self, room: nio.MatrixRoom, event: nio.RoomMemberEvent) -> None:
        """The other member of a direct room left (or the assistant was removed): the room
        is suspended, reminders included; someone joining again lifts it when they write."""
        if event.membership not in ("leave", "ban"):
            return
        ours = event.state_key == self.client.user_id
        if not ours and (_is_group(room) or room.joined_count > 1):
            return
        chat_id = await self.identities.room(room.room_id, group=_is_group(room),
                                             now=self.clock())
        await self._suspend(chat_id, f"{event.state_key} : {event.membership}")

    # --- handling -----------------------------------------------------------------------

    def _spawn(self, room_id: str, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the room's earlier events (one at a time per room)."""
        lock = self._locks.setdefault(room_id, asyncio.Lock())

        async def in_turn() -> None:
            async with lock:
                try:
                    await work
                except Exception:  # the database or the homeserver failed: logged, not lost
                    log.exception("Échec du traitement d'un événement du salon %s", room_id)

        task = asyncio.get_running_loop().create_task(in_turn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, room: nio.MatrixRoom, event: Any, content: dict[str, Any]) -> None:
        group = _is_group(room)
        if group:
            names = (self.client.user_id, f"@{_localpart(self.client.user_id)}",
                     room.user_name(self.client.user_id) or "")
            text = addressed(content, bot_id=self.client.user_id, names=names,
                             own_events=self.own_events)
            if text is None:
                return
        else:
            text = without_fallback(str(content.get("body") or ""))
        now = self.clock()
        chat_id = await self.identities.room(room.room_id, group=group, now=now)
        user_id = await self.identities.user(event.sender, now)
        await self._wrote(chat_id)
        with logs.bind(chat_id=chat_id, user_id=user_id):
            replies = await self._replies(Conversation(chat_id, user_id), text)
        await self.deliver(room, chat_id, user_id, replies,
                           reply_to=event.event_id if group else None)

    async def _replies(self, conversation: Conversation, text: str) -> list[Outgoing]:
        """The engine's replies to a text (a number or label presses a shown option)."""
        buttons = await self.shown.get(conversation.chat_id, conversation.user_id)
        question = options.ambiguous(text, buttons)
        if question is not None:
            return [Outgoing(text=html.escape(question, quote=False))]
        try:
            replies = await self.assistant.handle(conversation, options.resolve(text, buttons))
        except Exception:
            log.exception("Échec du traitement d'un message : %r", text[:100])
            return [Outgoing(text=APOLOGY)]
        last = next((r for r in reversed(replies) if r.buttons and not r.private), None)
        if last is not None:  # otherwise the options shown before still stand (a file sent)
            await self.shown.put(conversation.chat_id, conversation.user_id,
                                 [b for row in last.buttons for b in row], self.clock())
        return replies

    async def deliver(self, room: nio.MatrixRoom, chat_id: int, user_id: int,
                      replies: list[Outgoing], *, reply_to: str | None = None) -> None:
        """Send the replies in order; a room that refuses is suspended."""
        for reply in replies:
            room_id = room.room_id
            if reply.private and _is_group(room):
                member = await self.identities.matrix_id(user_id)
                direct = self._direct_room(member) if member else None
                if direct is None:
                    reply = Outgoing(text=WRITE_PRIVATELY)
                else:
                    room_id = direct
            try:
                if reply.file is not None:
                    await self._send_file(room_id, reply)
                await self._send(room_id, message(reply, reply_to=reply_to))
            except Blocked as exc:
                await self._suspend(chat_id, str(exc))
                return
            except DeliveryError as exc:
                log.warning("Réponse non envoyée dans %s : %s", room_id, exc)
                return

    async def _send(self, room_id: str, content: dict[str, Any],
                    message_type: str = "m.room.message") -> None:
        """Send one event, waiting as long as the homeserver asks (M_LIMIT_EXCEEDED)."""
        for attempt in range(RETRIES + 1):
            try:
                self.own_events.append(await send_content(self.client, room_id, content,
                                                          message_type))
                return
            except RetryLater as exc:
                if attempt == RETRIES:
                    raise
                await asyncio.sleep(exc.seconds)

    async def _send_file(self, room_id: str, reply: Outgoing) -> None:
        """Upload the file (encrypted for an encrypted room), then its m.file/m.image."""
        assert reply.file is not None
        attachment = reply.file
        mimetype = mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"
        room = self.client.rooms.get(room_id)
        encrypted = bool(room is not None and room.encrypted)
        uploaded, keys = await self.client.upload(
            io.BytesIO(attachment.data), content_type=mimetype, filename=attachment.filename,
            encrypt=encrypted, filesize=len(attachment.data))
        if not isinstance(uploaded, nio.UploadResponse):
            raise DeliveryError(f"envoi du fichier refusé : {uploaded}")
        await self._send(room_id, file_message(
            attachment.filename, mimetype, len(attachment.data), url=uploaded.content_uri,
            keys=keys, image=attachment.kind == "photo"))

    def _direct_room(self, user_id: str) -> str | None:
        """A direct room the assistant shares with this user, if any."""
        for room in self.client.rooms.values():
            if not _is_group(room) and user_id in room.users:
                return str(room.room_id)
        return None

    async def _join(self, room_id: str) -> None:
        answer = await self.client.join(room_id)
        if isinstance(answer, nio.JoinError):
            log.warning("Invitation dans %s non acceptée : %s", room_id, answer)
        else:
            log.info("Invitation acceptée : %s", room_id)

    async def _wrote(self, chat_id: int) -> None:
        """The room talks to us: send to it again (replies and reminders)."""
        if chat_id in self.inactive:
            self.inactive.discard(chat_id)
            await self.store.set_chat_active(chat_id, True, self.clock())
        if self.reminders is not None:
            await self.reminders.user_wrote(chat_id)

    async def _suspend(self, chat_id: int, reason: str) -> None:
        """Nothing is sent to this room any more (replies, reminders) until it writes."""
        if chat_id not in self.inactive:
            self.inactive.add(chat_id)
            await self.store.set_chat_active(chat_id, False, self.clock(), reason)
            log.info("Salon %s suspendu (%s)", chat_id, reason)
        if self.reminders is not None:
            await self.reminders.reminders.block_chat(chat_id, now=self.clock(), reason=reason)


def _is_group(room: nio.MatrixRoom) -> bool:
    return room.member_count > 2


def _localpart(user_id: str) -> str:
    return user_id.removeprefix("@").split(":", 1)[0]


# --- running ------------------------------------------------------------------------------

async def open_channel(settings: Settings, content: Content, store: Store, *,
                       clock: Clock = utc_now, reminders: bool = True,
                       sweep: SweepConfig | None = None,
                       timeline: int = TIMELINE) -> MatrixChannel:
    """Log in (kept device, crypto store), build the assistant with the Matrix
    administrators, and return the channel, not started yet."""
    matrix = settings.matrix
    assert matrix is not None
    client = await account.connect(matrix, settings.database, store.db, clock())
    identities = Identities(store.db)
    admins = {await identities.user(user, clock()) for user in matrix.admin_ids}
    settings = dataclasses.replace(settings, admin_ids=settings.admin_ids | admins)
    assistant = app.assistant_for(settings, content, store, clock=clock)
    return MatrixChannel(client, assistant, app.services_for(settings, assistant),
                         database=settings.database if reminders else None, sweep=sweep,
                         timeline=timeline)


async def serve(settings: Settings, content: Content,
                stopping: asyncio.Event | None = None) -> None:
    """Serve Matrix until `stopping` is set (by default, the main thread's: until SIGTERM or
    SIGINT, with the content reloaded on SIGHUP), then stop cleanly."""
    store = await Store.open(settings.database)
    try:
        channel = await open_channel(settings, content, store)
        try:
            if stopping is None:
                stopping = asyncio.Event()
                channel.services.reload_on_sighup = True
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.add_signal_handler(sig, stopping.set)
            await channel.start()
            await stopping.wait()
            await channel.stop()
        finally:
            await channel.client.close()
    finally:
        await store.close()
    log.info("Matrix : base de données fermée, arrêt terminé.")


def protect_secrets(settings: Settings, log_format: str | None = "text") -> None:
    """Keep the account's secrets out of the logs (configuring them if `log_format`)."""
    matrix = settings.matrix
    assert matrix is not None
    secrets = (matrix.access_token, matrix.password)
    if log_format == "text":
        redaction.configure(*secrets)
    elif log_format is not None:
        logs.configure(log_format, *secrets)
    else:
        redaction.protect(*secrets)
    logging.getLogger("nio").setLevel(logging.WARNING)  # nio logs every event at INFO


def run(settings: Settings, content: Content, *, log_format: str = "text") -> int:
    """`python -m bot run` with MATRIX_* set: serve Matrix (secrets kept out of the logs)."""
    protect_secrets(settings, log_format)
    try:
        asyncio.run(serve(settings, content))
    except account.LoginFailed as exc:
        log.error("%s", exc)
        return 1
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.error("Serveur Matrix injoignable (%s) : %r", matrix_url(settings), exc)
        return 1
    return 0


def matrix_url(settings: Settings) -> str:
    return settings.matrix.homeserver if settings.matrix else "?"
