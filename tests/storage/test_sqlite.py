"""Opening a SQLite file: a file that is no database is refused and lets the process end."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


async def test_a_file_that_is_no_database_is_refused_and_the_process_ends(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"Compte rendu du conseil municipal, pas une base. " * 100)
    code = ("import asyncio, sys; from bot.storage.sqlite import SqliteDatabase\n"
            "asyncio.run(SqliteDatabase.connect(sys.argv[1]))")
    run = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, str(path), cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        _, stderr = await asyncio.wait_for(run.communicate(), 30)
    finally:
        if run.returncode is None:
            run.kill()
    assert run.returncode == 1
    assert b"file is not a database" in stderr
