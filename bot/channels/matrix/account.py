"""The assistant's Matrix account: a matrix-nio client logged in on one device for good.

The device id (and, after a password login, its access token) is kept in the database
(`matrix_account`), the end-to-end encryption keys in nio's crypto store (a SQLite file in
MATRIX_STORE_DIR): a restart is the same device with the same keys, so what was encrypted
for it before stays readable.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import nio

from bot.core.config import MatrixSettings
from bot.storage.database import Database
from bot.storage.timestamps import ts

log = logging.getLogger(__name__)
DEVICE_NAME = "Assistant CnFS"
CLIENT_CONFIG = nio.AsyncClientConfig(
    store_sync_tokens=True, encryption_enabled=True,
    max_limit_exceeded=0,  # M_LIMIT_EXCEEDED comes back to us (retry_after_ms), never hidden
    max_timeouts=3, request_timeout=30.0)


class LoginFailed(Exception):
    """The homeserver refused the account's credentials."""


def store_dir(settings: MatrixSettings, database: Path) -> Path:
    """Where the crypto store lives: MATRIX_STORE_DIR, or `matrix/` beside the database."""
    return settings.store_dir or database.parent / "matrix"


async def _stored(db: Database, user_id: str) -> tuple[str, str] | None:
    row = await db.fetchone("SELECT device_id, access_token FROM matrix_account "
                            "WHERE user_id = ?", (user_id,))
    return (row[0], row[1]) if row else None


async def _keep(db: Database, user_id: str, device_id: str, token: str,
                now: dt.datetime) -> None:
    async with db.write() as writer:
        await writer.execute(
            "INSERT INTO matrix_account (user_id, device_id, access_token, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET device_id = "
            "excluded.device_id, access_token = excluded.access_token, "
            "updated_at = excluded.updated_at", (user_id, device_id, token, ts(now)))


async def connect(settings: MatrixSettings, database: Path, db: Database,
                  now: dt.datetime) -> nio.AsyncClient:
    """A client logged in as the account, on its kept device, with its crypto store loaded."""
    path = store_dir(settings, database)
    path.mkdir(parents=True, exist_ok=True)  # nio's store needs its folder
    client = nio.AsyncClient(settings.homeserver, settings.user_id, store_path=str(path),
                             config=CLIENT_CONFIG)
    try:
        await _log_in(client, settings, db, now)
    except BaseException:
        await client.close()
        raise
    return client


async def _log_in(client: nio.AsyncClient, settings: MatrixSettings,
                  db: Database, now: dt.datetime) -> None:
    stored = await _stored(db, settings.user_id)
    token = settings.access_token or (stored[1] if stored else None)
    if token is not None:
        client.access_token = token  # whoami needs it
        who = await client.whoami()
        if isinstance(who, nio.WhoamiResponse) and who.device_id:
            client.restore_login(settings.user_id, who.device_id, token)
            await _keep(db, settings.user_id, who.device_id, token, now)
            return
        if settings.access_token:
            raise LoginFailed(f"MATRIX_ACCESS_TOKEN refusé : {who}")
        log.info("Jeton Matrix enregistré refusé : nouvelle connexion par mot de passe")
    assert settings.password is not None
    if stored:
        client.device_id = stored[0]  # the same device, so the same crypto store
    answer = await client.login(settings.password, device_name=DEVICE_NAME)
    if not isinstance(answer, nio.LoginResponse):
        raise LoginFailed(f"connexion Matrix refusée : {answer}")
    await _keep(db, settings.user_id, answer.device_id, answer.access_token, now)
