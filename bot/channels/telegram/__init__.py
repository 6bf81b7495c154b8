"""The Telegram channel (python-telegram-bot): updates in, the engine's replies out."""
