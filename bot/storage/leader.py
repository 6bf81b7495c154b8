"""One sweeper at a time across replicas: the process that holds the lock is the leader.

SQLite serves one process (one file on one disk): it is always the leader. On PostgreSQL
the leader holds a session advisory lock on a connection of its own; the others try to take
it every `POLL` seconds. A leader that dies (SIGKILL, lost host) loses its session and the
lock with it, so another takes over within seconds; a frozen one (SIGSTOP, a stuck loop) is
cut off by `idle_session_timeout`, its heartbeat having stopped. Claims stay at most once
whatever happens (each row is claimed by an UPDATE … WHERE status = 'pending'); only the
rate limits could be briefly exceeded while two processes believe they lead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
# Advisory locks of the assistant itself take two integer keys (APP, n): a space apart from the
# one-bigint keys of the chats' locks (chat ids), so that no chat id can ever collide.
APP = 0x626F74             # "bot"
SWEEP_LOCK = (APP, 1)      # the sweeping leader
MIGRATION_LOCK = (APP, 2)  # a migration run (bot/storage/migrations.py)
POLL = 1.0                 # seconds between two attempts (followers) or heartbeats (leader)
IDLE_TIMEOUT = 10.0        # seconds: a session silent that long is closed by the server


class Leadership(Protocol):
    """Whether this process leads (`held`), kept up to date from `start` to `close`."""

    held: bool

    async def start(self) -> None: ...
    async def close(self) -> None: ...


class SoleLeader:
    """SQLite: the only process, always the leader."""

    held = True

    async def start(self) -> None:
        """Nothing to take."""

    async def close(self) -> None:
        """Nothing to give back."""


class PostgresLeader:
    """Leadership by a PostgreSQL session advisory lock, tried or confirmed every `poll` s."""

    def __init__(self, url: str, *, key: tuple[int, int] = SWEEP_LOCK, poll: float = POLL,
                 idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.url = url
        self.key = key
        self.poll = poll
        self.idle_timeout = idle_timeout
        self.held = False
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Try at once, then keep trying (or confirming) in the background."""
        await self.check()
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="meneur")

    async def check(self) -> bool:
        """Take the lock if free, or confirm it is still ours; whether we lead now."""
        import psycopg  # noqa: PLC0415 - SQLite-only processes never load it
        try:
            if self._connection is None or self._connection.closed:
                self.held = False
                self._connection = await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=5,
                    options=f"-c idle_session_timeout={round(self.idle_timeout * 1000)}")
            if self.held:
                await self._connection.execute("SELECT 1")   # heartbeat
            else:
                cursor = await self._connection.execute(
                    "SELECT pg_try_advisory_lock(%s, %s)", self.key)
                row = await cursor.fetchone()
                self.held = bool(row and row[0])
                if self.held:
                    log.info("ce processus devient le seul à envoyer rappels et annonces")
        except psycopg.Error as error:
            if self.held:
                log.warning("envois suspendus : verrou du meneur perdu (%s)", error)
            self.held = False
            await self._drop()
        return self.held

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll)
            await self.check()

    async def _drop(self) -> None:
        import psycopg  # noqa: PLC0415 - SQLite-only processes never load it
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error):
                await connection.close()

    async def close(self) -> None:
        """Stop trying; closing the session gives the lock to another replica at once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.held = False
        await self._drop()
