"""Versioned schema migrations (bot/storage/schema.py's MIGRATIONS), idempotent and safe with
two processes at once: SQLite counts in PRAGMA user_version under BEGIN IMMEDIATE (the other
process waits for the write lock), PostgreSQL in a schema_version table under an advisory
lock held for the whole run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.storage.database import Database
from bot.storage.leader import MIGRATION_LOCK
from bot.storage.schema import MIGRATIONS
from bot.storage.sqlite import SqliteDatabase

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresDatabase


def statements(script: str) -> list[str]:
    """The statements of a migration script (no `;` inside the schema's texts)."""
    return [part.strip() for part in script.split(";") if part.strip()]


async def migrate(db: Database, migrations: list[str] = MIGRATIONS) -> tuple[int, int]:
    """Bring the schema up to date; (version found, version now)."""
    if isinstance(db, SqliteDatabase):
        return await _sqlite(db, migrations)
    from bot.storage.postgres import PostgresDatabase  # noqa: PLC0415 - psycopg: 70 ms
    if isinstance(db, PostgresDatabase):
        return await _postgres(db, migrations)
    raise TypeError(f"moteur inconnu : {db.engine}")


async def _sqlite(db: SqliteDatabase, migrations: list[str]) -> tuple[int, int]:
    connection = db.connection
    await connection.execute("BEGIN IMMEDIATE")   # the version is read under the write lock
    try:
        [[found]] = await connection.execute_fetchall("PRAGMA user_version")
        for script in migrations[found:]:
            for statement in statements(script):
                await connection.execute(statement)
        if found < len(migrations):
            await connection.execute(f"PRAGMA user_version = {len(migrations)}")
        await connection.commit()
    except BaseException:
        await connection.rollback()
        raise
    return found, max(found, len(migrations))


async def _postgres(db: PostgresDatabase, migrations: list[str]) -> tuple[int, int]:
    from bot.storage import postgres  # noqa: PLC0415 - psycopg: 70 ms
    async with db.pool.connection() as connection:
        await connection.execute("SELECT pg_advisory_lock(%s, %s)", MIGRATION_LOCK)
        try:
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            cursor = await connection.execute(
                "SELECT coalesce(max(version), 0) FROM schema_version")
            [found] = await cursor.fetchone() or (0,)
            async with connection.transaction():
                for number, script in enumerate(migrations[found:], start=found + 1):
                    await connection.execute(postgres.translate_schema(script))
                    await connection.execute(
                        "INSERT INTO schema_version (version) VALUES (%s)", (number,))
        finally:
            await connection.execute("SELECT pg_advisory_unlock(%s, %s)", MIGRATION_LOCK)
    return found, max(found, len(migrations))
