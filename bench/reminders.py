"""Reminder delivery benchmark: N reminders for N chats due in the same minute, sent through the
local Bot API emulator under the production rate limits, then the same with a crash.

    .venv/bin/python bench/reminders.py              # 10 000 reminders, both runs (~12 min)
    .venv/bin/python bench/reminders.py --count 300  # quick
    .venv/bin/python bench/reminders.py --postgres --replicas 2 --runs crash
        # on a throwaway PostgreSQL 15 (fsync on), two sweeping replicas, the leader killed

The emulator (tests/support/botapi) runs in this process, with Telegram's flood control switched on
(it answers 429 past 1 message/s in a chat or 30/s overall). The sweeper runs in a child
process, the production code path: `start_reminders` (bot/channels/telegram/sweeps.py) with
the production limits (SEND_LIMITS: 30 per 1.05 s overall, 1/s a chat, 20/min a group), its
own database connection, the leadership among replicas and the turns shared through the
database, and `make_send` on a plain telegram.Bot.

The crash is a real one: once half of the messages arrived, the child gets SIGKILL (no
`finally`, no last commit, whatever was in flight is cut), then a new child starts on the
same database. A subprocess is the only honest way to kill a sweep mid-transaction: cancelling
a task in the same process would run its `finally` blocks and let the in-flight sends finish.

With `--replicas 2` (PostgreSQL), two children sweep at once, as two containers would: one
leads (bot/storage/leader.py), the other waits; the one killed is the leader, and a new child
replaces it, as the host would restart a container.

Counted from the emulator's call log (successful sendMessage per chat): lost = chats that got
no reminder, duplicates = reminders received more than once. Rows the killed sweeper left in
'sending' are reported: each is either delivered (Telegram got it before the kill) or lost;
neither case is ever re-sent (the at-most-once guarantee, see the README).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/ itself is not an import root: bench/telegram.py must not shadow python-telegram-bot
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bot.delivery.ratelimit import Limits  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from bot.storage.timestamps import ts  # noqa: E402
from tests.support.database import rows, write_many  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

CAP = Limits().overall / Limits().overall_window


# --- the child: one sweeper, until nothing is left to send ---------------------------------

async def worker(database: str, base_url: str, token: str) -> None:
    """Sweep as `python -m bot run` does (start_reminders: the leadership among replicas, the
    limits shared through the database, SEND_LIMITS), until no reminder is pending."""

    from bot.channels.telegram.sweeps import (  # noqa: PLC0415
        SEND_LIMITS,
        start_reminders,
        sweep_bot,
    )

    service = await start_reminders(None, database, limits=SEND_LIMITS,
                                    bot=sweep_bot(token, base_url))
    assert service.leader is not None

    async def until_done() -> None:
        while (await service.reminders.counts()).get("pending"):
            if service.leader.held:
                mark_leader()
            await asyncio.sleep(0.2)

    try:
        await until_sigterm(until_done())
    finally:
        await service.stop()     # the sends in flight finish and are recorded


def mark_leader() -> None:
    """Tell the parent this child leads (a file named after its pid in $BENCH_MARKS)."""
    marks = os.environ.get("BENCH_MARKS")
    if marks:
        (Path(marks) / str(os.getpid())).touch()


async def until_sigterm(work: Awaitable[None]) -> None:
    """Run `work`; SIGTERM is a normal stop: it is cancelled, and the sends in flight finish
    and are recorded (bot/delivery/sweep.py)."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await work


# --- the parent: emulator, data, measurement ------------------------------------------------

def fill(database: str | Path, count: int, due: dt.datetime) -> None:
    """`count` chats, each with one milestone and one reminder due at `due`."""
    stamp = ts(due)
    write_many(
        database,
        "INSERT INTO milestones (id, chat_id, user_id, kind, date, territory, timezone,"
        " created_at) VALUES (?, ?, ?, 'contrat_signe', ?, 'metropole', 'Europe/Paris', ?)",
        [(i, i, i, due.date().isoformat(), stamp) for i in range(1, count + 1)])
    write_many(
        database,
        "INSERT INTO reminders (chat_id, milestone_id, deadline_kind, deadline_date,"
        " days_before, due_at, timezone, sentence, explanation, citation, text, created_at,"
        " updated_at) VALUES (?, ?, 'depart_formation', ?, 0, ?, 'Europe/Paris', ?, ?, ?,"
        " ?, ?, ?)",
        [(i, i, due.date().isoformat(), stamp, "le conseiller doit partir en formation",
          "Explication.", "AMI", f"<b>Rappel</b> : échéance n° {i} aujourd'hui.", stamp,
          stamp) for i in range(1, count + 1)])


def statuses(database: str | Path, table: str = "reminders") -> Counter[str]:
    return Counter(dict(rows(database, f"SELECT status, count(*) FROM {table} GROUP BY status")))


def sending_chats(database: str | Path, table: str = "reminders",
                  claimed_before: str | None = None) -> list[int]:
    """Chats whose row is 'sending' (claimed before `claimed_before`, if given)."""
    before, args = (" AND claimed_at <= ?", (claimed_before,)) if claimed_before else ("", ())
    return [r[0] for r in rows(
        database, f"SELECT chat_id FROM {table} WHERE status = 'sending'{before}", args)]


def busiest_second(times: list[float]) -> int:
    """The most messages that arrived within any one second."""
    ordered, most, first = sorted(times), 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


class Tally:
    """Successful sendMessage calls per chat, read incrementally from the emulator's log."""

    def __init__(self, emu) -> None:
        self.emu = emu
        self.seen = 0
        self.per_chat: Counter[int] = Counter()
        self.times: list[float] = []
        self.flood = 0
        self.done: set[int] = set()

    def update(self) -> int:
        calls = self.emu.calls
        # a call still unanswered (the sender was killed during it) must not hide later ones
        for index in range(self.seen, len(calls)):
            call = calls[index]
            if call.status is None or index in self.done:
                continue
            self.done.add(index)
            if call.method == "sendMessage":
                if call.ok:
                    self.per_chat[int(call.params["chat_id"])] += 1
                    self.times.append(call.at)
                elif call.status == 429:
                    self.flood += 1
        while self.seen in self.done:
            self.done.discard(self.seen)
            self.seen += 1
        return len(self.times)


async def deliver(count: int, database: str | Path, *, table: str, script: str,
                  stop: signal.Signals | None = None, replicas: int = 1,
                  measure: Callable[[Any], dict[str, int]] | None = None) -> dict[str, Any]:
    """Run `replicas` senders (`script --worker`) until its `table` is delivered to `count`
    chats, through a fresh emulator with flood control; optionally stop the leading one halfway
    (SIGTERM, a normal stop, or SIGKILL, a crash) and start another. `measure` reads more from
    the emulator."""
    from tests.support.botapi import BotApiEmulator  # noqa: PLC0415

    marks = tempfile.mkdtemp(prefix="bench-leader-")

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, script, "--worker", str(database),
                                 emu.base_url, emu.token], cwd=ROOT,
                                env={**os.environ, "BENCH_MARKS": marks})

    def leading(children: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        """The child that says it leads (the first one if none says so)."""
        marked = {int(name) for name in os.listdir(marks)}
        return next((c for c in children if c.pid in marked and c.poll() is None),
                    children[0])

    async with BotApiEmulator() as emu:
        for chat_id in range(1, count + 1):
            emu.private_chat(emu.user(chat_id, f"Mairie {chat_id}"), started=True)
        emu.set_flood_limits()
        tally = Tally(emu)
        start = time.monotonic()
        children = [spawn() for _ in range(replicas)]
        stopped_at, in_sending = 0, []
        while True:
            await asyncio.sleep(0.05)
            received = tally.update()
            if stop and not stopped_at and received >= count // 2:
                victim = leading(children)
                os.kill(victim.pid, stop)
                # the emulator answers in this event loop: wait for the child without
                # blocking it, or the child's last sends would hang until their timeout
                await asyncio.to_thread(victim.wait)
                stopped_at = received
                in_sending = sending_chats(database, table, ts(dt.datetime.now(dt.UTC)))
                children[children.index(victim)] = spawn()
            if all(child.poll() is not None for child in children):
                break
        await asyncio.sleep(0.2)        # answers still being written by the server
        tally.update()
        failed = [child.returncode for child in children if child.returncode != 0]
        if failed:
            raise SystemExit(f"a sender failed (exit {failed})")
        extra = measure(emu) if measure else {}
    end = time.monotonic()
    counts = statuses(database, table)
    got = tally.per_chat
    first, last = min(tally.times), max(tally.times)
    return {
        "count": count, "sent": len(tally.times), "total_s": end - start,
        "send_window_s": last - first, "rate": (len(tally.times) - 1) / max(last - first, 1e-9),
        "lost": sum(1 for chat in range(1, count + 1) if not got[chat]),
        "duplicates": sum(n - 1 for n in got.values() if n > 1),
        "flood_429": tally.flood, "stopped_after": stopped_at,
        "interrupted": len(in_sending),
        "interrupted_delivered": sum(1 for chat in in_sending if got[chat]),
        "rows_sent": counts.get("sent", 0), "rows_sending": counts.get("sending", 0),
        "rows_pending": counts.get("pending", 0), "busiest_second": busiest_second(tally.times),
        **extra,
    }


async def run(count: int, *, stop: signal.Signals | None = None,
              database: str | None = None, replicas: int = 1) -> dict[str, Any]:
    """One run: `count` reminders due now in a fresh database (`database`, an empty
    PostgreSQL one; default: a temporary SQLite file), swept by `replicas` processes;
    optionally the leader stopped halfway."""
    with tempfile.TemporaryDirectory() as tmp:
        target = database or Path(tmp) / "bot.sqlite3"
        await (await Store.open(target)).close()
        fill(target, count, dt.datetime.now(dt.UTC).replace(second=0, microsecond=0))
        return await deliver(count, target, table="reminders", script=__file__, stop=stop,
                             replicas=replicas)


def show(title: str, r: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"  delivered        {r['sent']} / {r['count']}")
    print(f"  delivery rate    {r['rate']:.1f} messages/s (cap {CAP:g}/s: "
          f"{100 * r['rate'] / CAP:.1f} %), first to last message {r['send_window_s']:.1f} s")
    if "max_per_second" in r:
        print(f"  busiest second   {r['max_per_second']} messages overall, "
              f"{r['max_per_chat_second']} to one chat")
    print(f"  busiest second   {r['busiest_second']} messages (any one-second window)")
    print(f"  total time       {r['total_s']:.1f} s (process start-up included)")
    print(f"  lost             {r['lost']}")
    print(f"  duplicates       {r['duplicates']}")
    print(f"  429 from the API {r['flood_429']}")
    if r["stopped_after"]:
        print(f"  stopped after    {r['stopped_after']} messages; {r['interrupted']} row(s) left "
              f"'sending' (never re-sent), of which {r['interrupted_delivered']} had reached "
              "Telegram")
    print(f"  rows             sent {r['rows_sent']}, sending {r['rows_sending']}, "
          f"pending {r['rows_pending']}")


async def main(count: int, runs: list[str], server: PostgresServer | None = None,
               replicas: int = 1) -> int:
    results = {}

    def database(name: str) -> str | None:
        """A fresh PostgreSQL database for this run (None: a SQLite file)."""
        return server.create_database(f"bench_{name}") if server else None

    where = (f"PostgreSQL, {replicas} sweeping replica(s)" if server
             else f"SQLite, {replicas} sweeper")
    print(f"Engine: {where}")
    if "steady" in runs:
        results["steady"] = await run(count, database=database("steady"), replicas=replicas)
        show(f"{count} reminders, {count} chats, due in the same minute", results["steady"])
    if "stop" in runs:
        results["stop"] = await run(count, stop=signal.SIGTERM, database=database("stop"),
                                    replicas=replicas)
        show("Same, sweeper stopped (SIGTERM) halfway and restarted", results["stop"])
    if "crash" in runs:
        results["crash"] = await run(count, stop=signal.SIGKILL, database=database("crash"),
                                     replicas=replicas)
        show("Same, sweeper killed (SIGKILL) halfway and restarted: at most once, so the "
             "messages in flight may be lost, never sent twice", results["crash"])
    ok = all(r["lost"] == 0 and r["duplicates"] == 0 for name, r in results.items()
             if name != "crash") and all(r["duplicates"] == 0 for r in results.values())
    return 0 if ok else 1


def entry(doc: str, worker, main, default_count: int) -> None:
    """Command line shared by the delivery benches: `--worker` for the child, else the runs."""
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(worker(*sys.argv[2:]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=doc.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--count", type=int, default=default_count)
    parser.add_argument("--runs", default="steady,stop,crash",
                        help="steady, stop (SIGTERM), crash (SIGKILL), separated by commas")
    parser.add_argument("--postgres", action="store_true",
                        help="on a throwaway PostgreSQL 15 server (fsync on) instead of SQLite")
    parser.add_argument("--replicas", type=int, default=1,
                        help="sweeping processes at once (more than 1: --postgres)")
    arguments = parser.parse_args()
    if arguments.replicas > 1 and not arguments.postgres:
        parser.error("several replicas need --postgres (SQLite serves one process)")
    runs = arguments.runs.split(",")
    if not arguments.postgres:
        sys.exit(asyncio.run(main(arguments.count, runs)))
    server = PostgresServer.start(durable=True)
    try:
        code = asyncio.run(main(arguments.count, runs, server, arguments.replicas))
    finally:
        server.stop()
    sys.exit(code)


if __name__ == "__main__":
    entry(__doc__, worker, main, 10_000)
