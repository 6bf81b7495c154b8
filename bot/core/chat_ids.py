"""Which channel an integer chat id belongs to.

Every table keys chats and members by integers: Telegram's own ids (at most 52 significant
bits, negative for groups), and for Matrix a number beyond 2**53 in absolute value that
bot/channels/matrix/identities.py gives each room and user. The two ranges never meet, so
a delivery sweep knows its rows from another channel's.
"""

from __future__ import annotations

MATRIX_BASE = 2**53


def is_matrix(chat_id: int) -> bool:
    """Whether an integer chat or user id stands for a Matrix room or user."""
    return abs(chat_id) > MATRIX_BASE


def is_telegram(chat_id: int) -> bool:
    """Whether an integer chat id is Telegram's (the terminal's 0 included)."""
    return not is_matrix(chat_id)
