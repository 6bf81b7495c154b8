"""Files of the cache folder (BOT_CACHE_DIR): written whole or not at all, since two processes
may write the same file at once; a failure is logged, never raised (the cache is optional)."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)
STALE_AFTER = 86_400   # seconds: a file of another content or version written this long ago goes


def write(path: Path, fill: Callable[[BinaryIO], None], *, what: str, lost: str) -> bool:
    """Write `path` through `fill`, atomically; on failure, log `what` was not kept and what
    that costs (`lost`).
    Files of the same family (same name up to the last "-") older than a day are removed."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            temporary = Path(out.name)
            fill(out)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        log.warning("%s non conservé dans %s (%s) : %s", what, path.parent, error, lost)
        return False
    family = path.name.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{family}-*{path.suffix}"):
        if old != path and time.time() - old.stat().st_mtime > STALE_AFTER:
            old.unlink(missing_ok=True)
    return True
