"""Button payloads: short typed strings that fit Telegram's 64-byte callback data limit.

Existing payloads: "f:<faq_id>", "s:<record>:<faq_id>", "n:<record>", "m", "c:<command>".
Flow buttons: "w:<seq>:<code>", where <seq> (base 36) is the conversation's turn counter, so a
button from an older screen, or a forged one, is recognised as no longer active.
Refine a quick computation: "q:<posts>:<territory>:<structure>" (empty fields are unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
ID_NUMBER = re.compile(r"[0-9]{1,18}")  # fits SQLite's 64-bit INTEGER
FLOW_CODE = re.compile(r"^[a-z]\d{0,3}$")
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class PayloadTooLong(ValueError):
    """A payload that Telegram would refuse (more than 64 bytes once UTF-8 encoded)."""


def checked(payload: str) -> str:
    """The payload itself, once checked to fit Telegram's limit."""
    size = len(payload.encode())
    if size > MAX_CALLBACK_BYTES:
        raise PayloadTooLong(f"callback data {payload!r} is {size} bytes > {MAX_CALLBACK_BYTES}")
    return payload


def payload_number(text: str) -> int | None:
    """A row id or counter carried by a payload: ASCII digits that fit SQLite, else None."""
    return int(text) if ID_NUMBER.fullmatch(text) else None


def to_base36(number: int) -> str:
    if number < 0:
        raise ValueError("negative")
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = BASE36[rest] + digits
        if not number:
            return digits


@dataclass(frozen=True, slots=True)
class FlowButton:
    """A button of a flow screen, valid only while the conversation is at turn `seq`."""

    seq: int
    code: str

    def pack(self) -> str:
        if not FLOW_CODE.match(self.code):
            raise ValueError(f"bad flow code {self.code!r}")
        return checked(f"w:{to_base36(self.seq)}:{self.code}")

    @classmethod
    def unpack(cls, payload: str) -> FlowButton | None:
        """The button, or None when the payload is not a well-formed flow button."""
        parts = payload.split(":")
        if len(parts) != 3 or parts[0] != "w" or not parts[1] or len(parts[1]) > 8 or \
                not all(c in BASE36 for c in parts[1]) or not FLOW_CODE.match(parts[2]):
            return None
        return cls(int(parts[1], 36), parts[2])


SIMULATION_FLOW = "simulation"  # the flow a RefineButton opens


@dataclass(frozen=True, slots=True)
class RefineButton:
    """Open the simulation flow with what a quick computation already knows."""

    posts: int | None
    territory: str | None
    structure: str | None

    def pack(self) -> str:
        return checked(f"q:{self.posts or ''}:{self.territory or ''}:{self.structure or ''}")

    @classmethod
    def unpack(cls, payload: str) -> RefineButton | None:
        parts = payload.split(":")
        if len(parts) != 4 or parts[0] != "q":
            return None
        posts, territory, structure = parts[1:]
        if (posts and not re.fullmatch(r"[0-9]{1,6}", posts)) or \
                (territory and not re.fullmatch(r"[a-z_]{1,40}", territory)) or \
                structure not in ("", "public", "prive"):
            return None
        return cls(int(posts) if posts else None, territory or None, structure or None)
