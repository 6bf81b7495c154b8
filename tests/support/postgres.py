"""A throwaway PostgreSQL server for one test session: Debian's PostgreSQL 15, run as the
`postgres` user (when we are root) in a temporary data directory, on a free local port.

It never skips: if the server cannot start, the session fails with the reason.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
INSTALL_HINT = ("installez PostgreSQL 15 : apt-get install -y postgresql-15 (.ci/run le fait), "
                "ou donnez son dossier bin dans POSTGRES_BIN")
DATABASE = "bot"


class PostgresUnavailable(RuntimeError):
    """The test server could not start (the message says why and what to do)."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner() -> dict[str, Any]:
    """subprocess arguments that run the server as `postgres` when we are root."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres"}


@dataclass
class PostgresServer:
    """A running server; `url` reaches its `bot` database."""

    directory: Path
    port: int

    @property
    def url(self) -> str:
        return self.url_of(DATABASE)

    def url_of(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls, *, durable: bool = False) -> PostgresServer:
        """initdb, then pg_ctl start (about half a second); raises PostgresUnavailable.
        Tests run without fsync; `durable` keeps it (benches: a production's cost)."""
        if not (BIN / "pg_ctl").exists():
            raise PostgresUnavailable(f"PostgreSQL introuvable dans {BIN} : {INSTALL_HINT}")
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(f"aucun utilisateur postgres : {INSTALL_HINT}") from None
        directory = Path(tempfile.mkdtemp(prefix="bot-pg-"))  # not under pytest's tmp_path:
        if os.geteuid() == 0:                                   # postgres must reach it
            shutil.chown(directory, "postgres", "postgres")
        server = cls(directory, free_port())
        try:
            server._run("initdb", "--auth=trust", "--locale=C", "--encoding=UTF8",
                        "--no-sync", "--username=postgres", "-D", str(directory / "data"))
            server._run("pg_ctl", "-w", "-t", "30", "-D", str(directory / "data"),
                        "-l", str(directory / "log"), "-o",
                        f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1"
                        + ("" if durable else " -c fsync=off -c synchronous_commit=off"
                                              " -c full_page_writes=off"),
                        "start")
            with psycopg.connect(server.url_of("postgres"), autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {DATABASE}")
        except BaseException as error:
            log = server.log_tail()
            server.stop()
            raise PostgresUnavailable(
                f"le serveur PostgreSQL de test ne démarre pas ({error}) ; {log}") from error
        return server

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([str(BIN / program), *args], capture_output=True, text=True,
                              check=False, cwd=self.directory, **_as_owner())
        if done.returncode:
            raise PostgresUnavailable(f"{program} : {done.stderr.strip() or done.stdout}")

    def log_tail(self) -> str:
        """The end of the server's log, for an error message."""
        with contextlib.suppress(OSError):
            return (self.directory / "log").read_text()[-2000:]
        return "pas de journal"

    def reset(self) -> None:
        """Empty every table of the `bot` database (its schema stays): a fresh start for a test."""
        with psycopg.connect(self.url, autocommit=True) as connection:
            tables = [row[0] for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'schema_version'")]
            if tables:
                connection.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    def create_database(self, name: str) -> str:
        """A new empty database on this server; its URL."""
        with psycopg.connect(self.url_of("postgres"), autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")
            connection.execute(f"CREATE DATABASE {name}")
        return self.url_of(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        if (self.directory / "data" / "postmaster.pid").exists():
            subprocess.run([str(BIN / "pg_ctl"), "-w", "-m", "fast", "-D",
                            str(self.directory / "data"), "stop"],
                           capture_output=True, check=False, cwd=self.directory,
                           **_as_owner())
        shutil.rmtree(self.directory, ignore_errors=True)
