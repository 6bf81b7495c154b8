"""Moving the data between engines (`python -m bot export` / `import`): JSON lines, a header
then one line a row, table by table in an order that keeps every reference valid.

    {"format": "cnfs-assistant", "schema": 7}
    {"table": "milestones", "row": {"id": 1, "chat_id": 11, …}}
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from bot.storage.database import Database
from bot.storage.schema import MIGRATIONS

FORMAT = "cnfs-assistant"
# Parents before children (reminders → milestones, deliveries → broadcasts).
TABLES = ("unanswered", "conversations", "chats", "milestones", "reminders", "blocked_chats",
          "chat_territories", "events", "subscriptions", "broadcasts", "broadcast_deliveries",
          "talk_context", "matrix_account", "matrix_ids", "matrix_options")
# Tables whose key the database numbers, and that key's column.
NUMBERED = {"unanswered": "id", "milestones": "id", "reminders": "id", "events": "id",
            "broadcasts": "id", "broadcast_deliveries": "id", "matrix_ids": "n"}
BATCH = 1000


class TransferError(ValueError):
    """The file cannot be imported here (the message says why, in French)."""


async def export_lines(db: Database) -> AsyncIterator[str]:
    """The whole database as JSON lines: the header, then every row of every table."""
    yield json.dumps({"format": FORMAT, "schema": len(MIGRATIONS)})
    for table in TABLES:
        for row in await db.fetchall(f"SELECT * FROM {table} ORDER BY 1"):
            yield json.dumps({"table": table, "row": dict(zip(row.keys(), row, strict=True))},
                             ensure_ascii=False)


def parse(lines: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The rows of an export, by table; raises TransferError on a file of another kind."""
    tables: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
    header: dict[str, Any] | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise TransferError(f"ligne {number} : JSON illisible ({error})") from None
        if header is None:
            header = item
            if item.get("format") != FORMAT:
                raise TransferError("ce fichier n'est pas un export de l'assistant")
            if item.get("schema") != len(MIGRATIONS):
                raise TransferError(
                    f"export du schéma {item.get('schema')}, cette version attend le schéma "
                    f"{len(MIGRATIONS)} : exportez et importez avec la même version")
            continue
        if item.get("table") not in tables:
            raise TransferError(f"ligne {number} : table inconnue {item.get('table')!r}")
        tables[item["table"]].append(item["row"])
    if header is None:
        raise TransferError("fichier vide")
    return tables


async def import_rows(db: Database, tables: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Write an export into an empty database, in one transaction; rows per table.
    Refuses a database that already holds data (nothing is merged or overwritten)."""
    for table in TABLES:
        if await db.fetchone(f"SELECT 1 FROM {table} LIMIT 1") is not None:
            raise TransferError(f"la base de destination n'est pas vide (table {table})")
    async with db.write() as writer:
        for table in TABLES:
            rows = tables[table]
            if not rows:
                continue
            columns = list(rows[0])
            sql = (f"INSERT INTO {table} ({', '.join(columns)})"
                   f" VALUES ({', '.join('?' for _ in columns)})")
            for start in range(0, len(rows), BATCH):
                await writer.executemany(
                    sql, [[row[c] for c in columns] for row in rows[start:start + BATCH]])
        if db.engine == "postgresql":   # the next ids come after the imported ones
            for table, key in NUMBERED.items():
                await writer.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'),"
                    f" coalesce((SELECT max({key}) FROM {table}), 0) + 1, false)")
    return {table: len(rows) for table, rows in tables.items()}
