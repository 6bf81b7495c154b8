"""Matrix reminder delivery benchmark: N reminders due at once for N rooms, sent through a local
Synapse by the production sweep (bot/channels/matrix/sweeps.py), then the same with a crash.

    .venv/bin/python bench/matrix_reminders.py              # 1 000 rooms, both runs
    .venv/bin/python bench/matrix_reminders.py --count 100  # quick

The assistant's account creates N rooms (unencrypted: the guarantee is the sweep's, and
sharing 1 000 room keys would only slow the set-up); each room gets a number (matrix_ids)
and one reminder due now. The sweeper runs in a child process, the production path: the
account's kept device (bot/channels/matrix/account.py), a first sync, then `start_reminders`
(its own connection, Matrix limits, M_LIMIT_EXCEEDED obeyed). The crash is a real one: once
half of the reminders are marked sent, the child gets SIGKILL, then a new child starts on the
same database and finishes.

Counted from Synapse itself (the admin API lists each room's messages): lost = rooms that got
no reminder, duplicates = reminders received more than once. Rows the killed child left in
'sending' are reported: each was either delivered before the kill or lost, and is never sent
again (at most once, see the README).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bot.core.chat_ids import MATRIX_BASE  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from bot.storage.timestamps import ts  # noqa: E402

CREATE_AT_ONCE = 8  # room creations in flight


# --- the child: the production sweep until nothing is left to send --------------------------

async def worker(database: str) -> None:
    """Log in on the kept device, sync, sweep until no reminder is pending."""
    from bot.channels.matrix import account  # noqa: PLC0415
    from bot.channels.matrix.channel import SYNC_FILTER  # noqa: PLC0415
    from bot.channels.matrix.sweeps import start_reminders  # noqa: PLC0415
    from bot.core.config import MatrixSettings  # noqa: PLC0415
    from bot.delivery.sweep import SweepConfig  # noqa: PLC0415

    matrix = MatrixSettings.from_env(dict(os.environ))
    assert matrix is not None
    store = await Store.open(database)
    client = await account.connect(matrix, Path(database), store.db, dt.datetime.now(dt.UTC))
    await client.sync(timeout=0, sync_filter=SYNC_FILTER, full_state=True)
    sweep = await start_reminders(client, Path(database), config=SweepConfig(interval=0.5))
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    try:
        while await sweep.reminders.pending():
            try:
                await asyncio.wait_for(stopping.wait(), 0.2)
                break
            except TimeoutError:
                continue
    finally:
        await sweep.stop()
        await client.close()
        await store.close()


# --- the parent: Synapse, rooms, rows, measurement ------------------------------------------

def call(url: str, method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    request = urllib.request.Request(url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


async def create_rooms(url: str, token: str, count: int) -> list[str]:
    """`count` rooms of the account, created a few at a time."""
    gate = asyncio.Semaphore(CREATE_AT_ONCE)

    async def one() -> str:
        async with gate:
            answer = await asyncio.to_thread(call, url, "POST", "/_matrix/client/v3/createRoom",
                                             token, {"preset": "private_chat"})
            return str(answer["room_id"])

    return list(await asyncio.gather(*(one() for _ in range(count))))


def fill(database: Path, rooms: list[str], due: dt.datetime) -> None:
    """Each room's number, one milestone and one reminder due at `due` (one transaction)."""
    stamp = ts(due)
    with sqlite3.connect(database) as db:
        db.executemany("INSERT INTO matrix_ids (n, matrix_id, kind, created_at) "
                       "VALUES (?, ?, 'direct', ?)",
                       [(i, room, stamp) for i, room in enumerate(rooms, start=1)])
        db.executemany(
            "INSERT INTO milestones (id, chat_id, user_id, kind, date, territory, timezone,"
            " created_at) VALUES (?, ?, ?, 'contrat_signe', ?, 'metropole', 'Europe/Paris', ?)",
            [(i, MATRIX_BASE + i, MATRIX_BASE + i, due.date().isoformat(), stamp)
             for i in range(1, len(rooms) + 1)])
        db.executemany(
            "INSERT INTO reminders (chat_id, milestone_id, deadline_kind, deadline_date,"
            " days_before, due_at, timezone, sentence, explanation, citation, text, created_at,"
            " updated_at) VALUES (?, ?, 'depart_formation', ?, 0, ?, 'Europe/Paris', ?, ?, ?,"
            " ?, ?, ?)",
            [(MATRIX_BASE + i, i, due.date().isoformat(), stamp,
              "le conseiller doit partir en formation", "Explication.", "AMI",
              f"<b>Rappel</b> : échéance n° {i} aujourd'hui.", stamp, stamp)
             for i in range(1, len(rooms) + 1)])


def statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as db:
        return Counter(dict(db.execute("SELECT status, count(*) FROM reminders GROUP BY status")))


def sending_rooms(database: Path) -> list[int]:
    with sqlite3.connect(database) as db:
        return [r[0] for r in db.execute("SELECT chat_id FROM reminders WHERE status = 'sending'")]


async def received(url: str, admin_token: str, rooms: list[str]) -> Counter[str]:
    """Reminder messages in each room, as Synapse stored them."""
    gate = asyncio.Semaphore(CREATE_AT_ONCE)

    async def count(room: str) -> tuple[str, int]:
        async with gate:
            answer = await asyncio.to_thread(
                call, url, "GET", f"/_synapse/admin/v1/rooms/{room}/messages?dir=b&limit=50",
                admin_token)
        return room, sum(1 for e in answer["chunk"] if e["type"] == "m.room.message")

    return Counter(dict(await asyncio.gather(*(count(r) for r in rooms))))


async def deliver(count: int, *, kill: bool) -> dict[str, Any]:
    """N rooms, N reminders, one child (or two around a SIGKILL); what arrived where."""
    from tests.support.synapse import Synapse  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="bench-matrix-reminders-") as tmp:
        workdir = Path(tmp)
        synapse = Synapse.start(workdir / "synapse")
        try:
            bot = synapse.register(f"bot_{secrets.token_hex(3)}")
            started = time.monotonic()
            rooms = await create_rooms(synapse.url, bot.access_token, count)
            setup_s = time.monotonic() - started
            database = workdir / "bot.sqlite3"
            store = await Store.open(database)
            await store.close()
            fill(database, rooms, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
            env = {k: v for k, v in os.environ.items() if not k.startswith(("MATRIX_", "BOT_"))}
            env.update(MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=bot.user_id,
                       MATRIX_ACCESS_TOKEN=bot.access_token,
                       MATRIX_STORE_DIR=str(workdir / "store"), BOT_DATABASE=str(database))

            def spawn() -> subprocess.Popen[bytes]:
                return subprocess.Popen([sys.executable, __file__, "--worker", str(database)],
                                        cwd=ROOT, env=env)

            started = time.monotonic()
            child, stopped_after, in_sending = spawn(), 0, []
            while child.poll() is None:
                await asyncio.sleep(0.05)
                if kill and not stopped_after and statuses(database)["sent"] >= count // 2:
                    os.kill(child.pid, signal.SIGKILL)
                    await asyncio.to_thread(child.wait)
                    stopped_after = statuses(database)["sent"]
                    in_sending = sending_rooms(database)
                    child = spawn()
            send_s = time.monotonic() - started
            if child.returncode != 0:
                raise SystemExit(f"the sweep failed (exit {child.returncode})")
            assert synapse.admin is not None
            got = await received(synapse.url, synapse.admin.access_token, rooms)
        finally:
            synapse.stop()
        rows = statuses(database)
        interrupted = {rooms[chat_id - MATRIX_BASE - 1] for chat_id in in_sending}
        return {"count": count, "setup_s": setup_s, "send_s": send_s,
                "rate": sum(got.values()) / send_s, "stopped_after": stopped_after,
                "lost": sum(1 for r in rooms if got[r] == 0),
                "duplicates": sum(n - 1 for n in got.values() if n > 1),
                "interrupted": len(interrupted),
                "interrupted_delivered": sum(1 for r in interrupted if got[r] > 0),
                "rows_sent": rows["sent"], "rows_sending": rows["sending"]}


def report(title: str, result: dict[str, Any]) -> None:
    print(f"{title} : {result['count']} salons, {result['rate']:.1f} rappels/s "
          f"({result['send_s']:.1f} s ; salons créés en {result['setup_s']:.1f} s)")
    print(f"  perdus : {result['lost']}, doublons : {result['duplicates']}, lignes 'sent' : "
          f"{result['rows_sent']}, restées 'sending' : {result['rows_sending']}")
    if result["stopped_after"]:
        print(f"  SIGKILL après {result['stopped_after']} envois ; en vol à ce moment : "
              f"{result['interrupted']} (dont {result['interrupted_delivered']} arrivés, "
              "jamais renvoyés)")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        asyncio.run(worker(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    steady = asyncio.run(deliver(args.count, kill=False))
    report("Sans arrêt", steady)
    crash = asyncio.run(deliver(args.count, kill=True))
    report("SIGKILL à mi-course, puis reprise", crash)
    ok = steady["lost"] == steady["duplicates"] == crash["duplicates"] == 0 and \
        crash["lost"] == crash["interrupted"] - crash["interrupted_delivered"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
