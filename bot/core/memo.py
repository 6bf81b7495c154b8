"""Remembering what is built from the current content (unhashable; replaced on reload)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")


def per_content(build: Callable[..., R]) -> Callable[..., R]:
    """`build` run again only when its arguments are other objects than last time (a new
    content at start-up or /recharger): functools.cache needs hashable arguments."""
    last: tuple[tuple[Any, ...], R] | None = None

    @functools.wraps(build)
    def remembered(*args: Any) -> R:
        nonlocal last
        if last is None or len(last[0]) != len(args) or \
                any(old is not new for old, new in zip(last[0], args, strict=False)):
            last = (args, build(*args))
        return last[1]
    return remembered
