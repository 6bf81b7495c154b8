"""The storage's command-line tools: `python -m bot migrate` (the Procfile's `release:`),
`export` and `import` (moving a commune's data from SQLite to PostgreSQL)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from bot.core.config import redact_password
from bot.storage.migrations import migrate
from bot.storage.store import Store, connect
from bot.storage.transfer import TransferError, export_lines, import_rows, parse


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


async def export_command(target: str | Path, out: TextIO) -> int:
    """Write the whole database at `target` to `out`, one JSON line a row."""
    store = await Store.open(target)
    try:
        count = -1
        async for line in export_lines(store.db):
            out.write(line + "\n")
            count += 1
    finally:
        await store.close()
    print(f"{count} ligne(s) exportée(s).", file=sys.stderr)
    return 0


async def import_command(target: str | Path, lines: Iterable[str]) -> int:
    """Load an export into the (empty) database at `target`; say what was imported."""
    try:
        tables = parse(lines)
    except TransferError as error:
        print(f"Import impossible : {error}.", file=sys.stderr)
        return 1
    store = await Store.open(target)
    try:
        counts = await import_rows(store.db, tables)
    except TransferError as error:
        print(f"Import impossible : {error}.", file=sys.stderr)
        return 1
    finally:
        await store.close()
    print(f"Import terminé : {sum(counts.values())} ligne(s).")
    for table, count in counts.items():
        if count:
            print(f"  {count:>7} {table}")
    return 0


def transfer(command: str, file: str, database: str | Path) -> int:
    """`export [FILE]` or `import FILE` ("-": standard output or input)."""
    if command == "export":
        if file == "-":
            return asyncio.run(export_command(database, sys.stdout))
        with open(file, "w", encoding="utf-8") as out:
            return asyncio.run(export_command(database, out))
    if file == "-":
        return asyncio.run(import_command(database, sys.stdin))
    try:
        with open(file, encoding="utf-8") as lines:
            return asyncio.run(import_command(database, lines))
    except FileNotFoundError:
        print(f"Import impossible : fichier introuvable : {file}.", file=sys.stderr)
        return 1
