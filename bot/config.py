"""Settings from the environment (documented in README.md and .env.example)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Runtime configuration; every field has an environment variable."""

    database: Path                  # BOT_DATABASE
    timezone: str                   # BOT_TIMEZONE
    knowledge_dir: Path             # BOT_KNOWLEDGE_DIR
    flows_dir: Path                 # BOT_FLOWS_DIR
    telegram_token: str | None      # TELEGRAM_BOT_TOKEN
    telegram_api_url: str           # TELEGRAM_API_URL (python-telegram-bot's base_url)
    port: int = 8080                # PORT (webhook mode: the port to listen on)
    webhook_url: str | None = None  # WEBHOOK_URL (webhook mode: the public HTTPS address)
    webhook_secret: str | None = None  # WEBHOOK_SECRET (webhook mode: required)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        return cls(
            database=Path(env.get("BOT_DATABASE") or "data/bot.sqlite3"),
            timezone=env.get("BOT_TIMEZONE") or "Europe/Paris",
            knowledge_dir=Path(env.get("BOT_KNOWLEDGE_DIR") or ROOT / "knowledge"),
            flows_dir=Path(env.get("BOT_FLOWS_DIR") or ROOT / "flows"),
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_api_url=env.get("TELEGRAM_API_URL") or "https://api.telegram.org/bot",
            port=int(env.get("PORT") or 8080),
            webhook_url=env.get("WEBHOOK_URL") or None,
            webhook_secret=env.get("WEBHOOK_SECRET") or None,
        )

    @property
    def telegram_file_url(self) -> str:
        """python-telegram-bot's base_file_url: `…/bot` becomes `…/file/bot`."""
        root = self.telegram_api_url.rstrip("/")
        root = root.removesuffix("/bot")
        return f"{root}/file/bot"

    def __repr__(self) -> str:
        token = "***" if self.telegram_token else None
        return (f"Settings(database={str(self.database)!r}, timezone={self.timezone!r}, "
                f"knowledge_dir={str(self.knowledge_dir)!r}, flows_dir={str(self.flows_dir)!r}, "
                f"telegram_token={token!r}, telegram_api_url={self.telegram_api_url!r}, "
                f"port={self.port!r}, webhook_url={self.webhook_url!r}, "
                f"webhook_secret={'***' if self.webhook_secret else None!r})")
