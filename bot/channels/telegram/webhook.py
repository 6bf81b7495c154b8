"""The webhook server: python-telegram-bot's own tornado app (its handler checks the secret
token and queues the updates) with one more route, `GET /healthz`.

PTB's `run_webhook` builds its tornado app itself, with no way to add a route, so `serve()`
does what it does with the same pieces: initialize, post_init, set the webhook, serve,
start the Application, wait for SIGINT/SIGTERM/SIGABRT, then stop in the reverse order (the
update in hand is finished, post_shutdown closes the database).
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from collections.abc import Callable
from typing import Any

import tornado.web
from telegram import Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import Application
from telegram.ext._utils.webhookhandler import TelegramHandler, WebhookAppClass, WebhookServer

from bot.channels.telegram.updates import readable

logger = logging.getLogger(__name__)
App = Application[Any, Any, Any, Any, Any, Any]
Health = Callable[[], dict[str, Any]]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: 200 and a small JSON body while the process serves; 503 when it cannot
    keep what it is told (its database is gone or read-only)."""

    def initialize(self, health: Health) -> None:
        self.health = health

    def get(self) -> None:
        report = self.health()
        self.set_status(200 if report["status"] == "ok" else 503)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(report, ensure_ascii=False))


class UpdateHandler(TelegramHandler):
    """PTB's handler of the webhook's POSTs (content type and secret token checked), which
    answers 400 with one short log line to a body that is not JSON nor UTF-8, and skips an
    update python-telegram-bot cannot read (logged once, with an excerpt, never in full)."""

    async def post(self) -> None:
        self._validate_post()
        try:
            data = json.loads(self.request.body.decode())
            update = Update.de_json(readable(data, self.bot), self.bot)
        except (UnicodeDecodeError, ValueError, NetworkError) as exc:
            logger.warning("Webhook : corps illisible (%s), réponse 400", type(exc).__name__)
            raise tornado.web.HTTPError(400, reason="Corps illisible") from None
        self.set_status(200)
        await self.update_queue.put(update)


class WebhookApp(WebhookAppClass):
    """PTB's webhook app (POST on the webhook path, secret token checked) plus /healthz."""

    def __init__(self, webhook_path: str, application: App, secret_token: str | None,
                 health: Health) -> None:
        self.shared_objects = {"bot": application.bot,
                               "update_queue": application.update_queue,
                               "secret_token": secret_token}
        tornado.web.Application.__init__(self, [
            (rf"{webhook_path}/?", UpdateHandler, self.shared_objects),
            (r"/healthz/?", HealthHandler, {"health": health})])


def health_of(application: App, started: float) -> Health:
    """What /healthz says: uptime, whether updates are being handled, and whether the
    database can still be written where it is."""
    def health() -> dict[str, Any]:
        channel = application.bot_data.get("channel")
        problem = channel.store.problem() if channel is not None else None
        return {"status": "ok" if problem is None else "erreur",
                **({"database": problem} if problem else {}),
                "uptime_s": round(time.monotonic() - started, 1),
                "running": application.running,
                "updates_waiting": application.update_queue.qsize()}
    return health


async def _set_webhook(application: App, options: dict[str, Any],
                       allowed_updates: list[str], retries: int) -> None:
    for attempt in range(retries + 1):
        try:
            await application.bot.set_webhook(
                url=options["webhook_url"], allowed_updates=allowed_updates,
                secret_token=options["secret_token"])
            return
        except BadRequest:  # a refusal: trying again would not help
            raise
        except NetworkError as exc:
            if attempt >= retries:
                raise
            logger.warning("setWebhook a échoué (%s) : nouvel essai dans 1 s", exc)
            await asyncio.sleep(1)


async def serve(application: App, options: dict[str, Any], allowed_updates: list[str], *,
                retries: int = 3, stop: asyncio.Event | None = None) -> None:
    """Serve the webhook (and /healthz) until a stop signal or `stop` is set."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    path = "/" + options["url_path"].strip("/")
    server = WebhookServer(options["listen"], options["port"],
                           WebhookApp(path, application, options["secret_token"],
                                      health_of(application, time.monotonic())), None)
    try:
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        await server.serve_forever()
        await _set_webhook(application, options, allowed_updates, retries)
        await application.start()
        logger.info("Webhook en service sur le port %s (santé : GET /healthz)",
                    options["port"])
        await stop.wait()
    finally:
        await server.shutdown()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
