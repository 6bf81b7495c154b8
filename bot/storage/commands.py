"""The storage's command-line tools: `python -m bot migrate` (the Procfile's `release:`)."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.core.config import redact_password
from bot.storage.migrations import migrate
from bot.storage.store import connect


async def migrate_command(target: str | Path) -> int:
    """Bring the schema of the database at `target` up to date; say what was done."""
    try:
        db = await connect(target)
    except Exception as error:
        print(f"Base de données injoignable ({redact_password(str(target))}) : {error}",
              file=sys.stderr)
        return 1
    try:
        found, now = await migrate(db)
    finally:
        await db.close()
    where = f"{db.engine}, {redact_password(str(target))}"
    if found == now:
        print(f"Schéma déjà à jour (version {now} ; {where}).")
    else:
        print(f"Schéma mis à jour : version {found} → {now} ({where}).")
    return 0
