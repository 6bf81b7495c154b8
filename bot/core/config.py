"""Settings from the environment (documented in README.md and .env.example)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Runtime configuration; every field has an environment variable."""

    database: Path | str            # DATABASE_URL (PostgreSQL), else BOT_DATABASE (SQLite file)
    timezone: str                   # BOT_TIMEZONE
    knowledge_dir: Path             # BOT_KNOWLEDGE_DIR
    flows_dir: Path                 # BOT_FLOWS_DIR
    telegram_token: str | None      # TELEGRAM_BOT_TOKEN
    telegram_api_url: str           # TELEGRAM_API_URL (python-telegram-bot's base_url)
    port: int = 8080                # PORT (webhook mode: the port to listen on)
    webhook_url: str | None = None  # WEBHOOK_URL (webhook mode: the public HTTPS address)
    webhook_secret: str | None = None  # WEBHOOK_SECRET (webhook mode: required)
    admin_ids: frozenset[int] = frozenset()  # BOT_ADMIN_IDS (Telegram user ids, comma-separated)
    retention_days: int = 365       # BOT_RETENTION_DAYS (then data is purged, see README)
    matrix: MatrixSettings | None = None  # MATRIX_* (README « Matrix / Tchap »)
    cache_dir: Path | None = None   # BOT_CACHE_DIR (the FAQ's trained model; empty: none kept)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        return cls(
            database=env.get("DATABASE_URL") or Path(env.get("BOT_DATABASE")
                                                     or "data/bot.sqlite3"),
            timezone=env.get("BOT_TIMEZONE") or "Europe/Paris",
            knowledge_dir=Path(env.get("BOT_KNOWLEDGE_DIR") or ROOT / "knowledge"),
            flows_dir=Path(env.get("BOT_FLOWS_DIR") or ROOT / "flows"),
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_url=env.get("TELEGRAM_API_URL") or "https://api.telegram.org/bot",
            port=int(env.get("PORT") or 8080),
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
            admin_ids=parse_ids(env.get("BOT_ADMIN_IDS") or ""),
            retention_days=parse_days(env.get("BOT_RETENTION_DAYS") or ""),
            matrix=MatrixSettings.from_env(env),
            cache_dir=cache_dir(env),
        )

    @property
    def telegram_file_url(self) -> str:
        """python-telegram-bot's base_file_url: `…/bot` becomes `…/file/bot`."""
        root = self.telegram_api_url.rstrip("/")
        root = root.removesuffix("/bot")
        return f"{root}/file/bot"

    def __repr__(self) -> str:
        token = "***" if self.telegram_token else None
        database = redact_password(str(self.database))
        return (f"Settings(database={database!r}, timezone={self.timezone!r}, "
                f"knowledge_dir={str(self.knowledge_dir)!r}, flows_dir={str(self.flows_dir)!r}, "
                f"telegram_token={token!r}, telegram_api_url={self.telegram_api_url!r}, "
                f"port={self.port!r}, webhook_url={self.webhook_url!r}, "
                f"webhook_secret={'***' if self.webhook_secret else None!r}, "
                f"admin_ids={sorted(self.admin_ids)!r}, retention_days={self.retention_days!r}, "
                f"matrix={self.matrix!r})")


@dataclass(frozen=True, slots=True, kw_only=True)
class MatrixSettings:
    """The Matrix account the assistant serves (set when homeserver, user and a secret are)."""

    homeserver: str                 # MATRIX_HOMESERVER
    user_id: str                    # MATRIX_USER_ID
    access_token: str | None        # MATRIX_ACCESS_TOKEN
    password: str | None            # MATRIX_PASSWORD
    store_dir: Path | None = None   # MATRIX_STORE_DIR (default: beside BOT_DATABASE)
    admin_ids: frozenset[str] = frozenset()  # MATRIX_ADMIN_IDS (Matrix user ids)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> MatrixSettings | None:
        homeserver, user_id = env.get("MATRIX_HOMESERVER"), env.get("MATRIX_USER_ID")
        token, password = env.get("MATRIX_ACCESS_TOKEN"), env.get("MATRIX_PASSWORD")
        if not (homeserver and user_id and (token or password)):
            return None
        admins = (part.strip() for part in (env.get("MATRIX_ADMIN_IDS") or "").split(","))
        store = env.get("MATRIX_STORE_DIR")
        return cls(homeserver=homeserver, user_id=user_id, access_token=token or None,
                   password=password or None, store_dir=Path(store) if store else None,
                   admin_ids=frozenset(a for a in admins if a))

    def __repr__(self) -> str:
        return (f"MatrixSettings(homeserver={self.homeserver!r}, user_id={self.user_id!r}, "
                f"access_token={'***' if self.access_token else None!r}, "
                f"password={'***' if self.password else None!r}, "
                f"store_dir={str(self.store_dir) if self.store_dir else None!r}, "
                f"admin_ids={sorted(self.admin_ids)!r})")


def parse_ids(text: str) -> frozenset[int]:
    """"12, 34" → {12, 34}; a value that is not an integer is an error (never ignored)."""
    ids = set()
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ValueError(f"BOT_ADMIN_IDS : « {part} » n'est pas un identifiant "
                             "Telegram (un nombre entier)") from None
    return frozenset(ids)


def parse_days(text: str, default: int = 365) -> int:
    """The retention in days (at least 1)."""
    if not text.strip():
        return default
    try:
        days = int(text)
    except ValueError:
        raise ValueError(f"BOT_RETENTION_DAYS : « {text} » n'est pas un nombre de jours") \
            from None
    if days < 1:
        raise ValueError("BOT_RETENTION_DAYS : au moins 1 jour")
    return days


def redact_password(url: str) -> str:
    """A database URL without its password: `postgresql://user:***@host/db`."""
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def cache_dir(env: dict[str, str] | None = None) -> Path | None:
    """BOT_CACHE_DIR, else the user's cache folder (XDG); BOT_CACHE_DIR set empty: none."""
    env = dict(os.environ) if env is None else env
    if "BOT_CACHE_DIR" in env:
        return Path(env["BOT_CACHE_DIR"]) if env["BOT_CACHE_DIR"] else None
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnfs-assistant"
