"""A strict local emulator of the Telegram Bot API for tests with python-telegram-bot."""

from .emulator import DEFAULT_TOKEN, BotApiEmulator, ViewMessage, free_port
from .errors import ApiError
from .faults import FloodLimits
from .files import tiny_png
from .server import ApiCall
from .state import CallbackAnswer, Chat, StoredFile, User

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "Chat",
    "FloodLimits",
    "StoredFile",
    "User",
    "ViewMessage",
    "free_port",
    "tiny_png",
]
