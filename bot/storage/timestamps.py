"""Instants as stored: UTC text of fixed width, so that text order is time order."""

from __future__ import annotations

import datetime as dt

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts(moment: dt.datetime) -> str:
    """An aware instant as stored."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one")
    return moment.astimezone(dt.UTC).strftime(FORMAT)


def parse_ts(text: str) -> dt.datetime:
    """The aware UTC instant of a stored time."""
    return dt.datetime.strptime(text, FORMAT).replace(tzinfo=dt.UTC)
