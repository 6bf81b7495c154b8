"""Announcement benchmark (/diffuser): one announcement to N subscribed chats, sent through the
local Bot API emulator under the production rate limits, then the same stopped halfway
(SIGTERM, a normal stop) and restarted, then killed halfway (SIGKILL) and restarted.

    .venv/bin/python bench/broadcast.py              # 5 000 chats, three runs (~9 min)
    .venv/bin/python bench/broadcast.py --count 300  # quick

The sender runs in a child process, the production code path: `Sweeper` over
`BroadcastStore` (bot/broadcast.py) with bot/ratelimit.Limits() defaults, its own SQLite
connection and `make_send` on a plain telegram.Bot. The emulator answers 429 past Telegram's
limits (1 message/s in a chat, 30/s overall), so a 429 count of 0 means the limits were kept;
the emulator's own rate helper (`max_rate`) measures the busiest second.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/ itself is not an import root: bench/telegram.py must not shadow python-telegram-bot
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bot.broadcast import BroadcastStore  # noqa: E402
from bot.reminder_store import ts  # noqa: E402
from bot.store import Store  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_reminders", HERE / "reminders.py")
assert _spec is not None and _spec.loader is not None
_reminders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_reminders)
Tally, CAP = _reminders.Tally, _reminders.CAP


async def worker(database: str, base_url: str, token: str) -> None:
    """Send until no delivery is pending; SIGTERM stops after the sends in flight."""

    from bot.broadcast import compose  # noqa: PLC0415
    from bot.channels.telegram_reminders import (  # noqa: PLC0415
        BROADCAST_SWEEP,
        SEND_LIMITS,
        START_GRACE,
        make_send,
        sweep_bot,
    )
    from bot.sweep import Sweeper  # noqa: PLC0415

    store = await Store.open(database)
    bot = sweep_bot(token, base_url)
    await bot.initialize()
    queue = BroadcastStore(store.db)
    sweeper = Sweeper(queue, make_send(bot), config=BROADCAST_SWEEP, limits=SEND_LIMITS,
                      compose=compose)

    async def sweep_until_done() -> None:
        await asyncio.sleep(START_GRACE)      # as start_broadcasts does
        while await queue.pending():
            report = await sweeper.run_once()
            if not report.claimed:
                await asyncio.sleep(0.2)

    try:
        await _reminders.until_sigterm(sweep_until_done())
    finally:
        await bot.shutdown()
        await store.close()


async def fill(database: Path, count: int) -> None:
    """`count` subscribed chats and one announcement queued for them (as /diffuser does)."""
    store = await Store.open(database)
    try:
        now = dt.datetime.now(dt.UTC)
        await store.db.executemany(
            "INSERT INTO subscriptions (chat_id, subscribed_at) VALUES (?, ?)",
            [(chat, ts(now)) for chat in range(1, count + 1)])
        await store.db.commit()
        broadcasts = BroadcastStore(store.db)
        draft = await broadcasts.draft(1, "📢 <b>Annonce</b>\n\nWebinaire jeudi.", now)
        assert await broadcasts.queue(draft, 1, now) == count
    finally:
        await store.close()


def statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as db:
        return Counter(dict(db.execute(
            "SELECT status, count(*) FROM broadcast_deliveries GROUP BY status")))


def sending_chats(database: Path) -> list[int]:
    with sqlite3.connect(database) as db:
        return [r[0] for r in db.execute(
            "SELECT chat_id FROM broadcast_deliveries WHERE status = 'sending'")]


def spawn(database: Path, emu) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, "--worker", str(database), emu.base_url,
                             emu.token], cwd=ROOT)


async def run(count: int, *, stop: signal.Signals | None = None) -> dict[str, float | int]:
    """One run on a fresh emulator and database; optionally stop the sender halfway."""
    from tests.botapi import BotApiEmulator  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bot.sqlite3"
        await fill(database, count)
        async with BotApiEmulator() as emu:
            for chat_id in range(1, count + 1):
                emu.private_chat(emu.user(chat_id, f"Mairie {chat_id}"), started=True)
            emu.set_flood_limits()
            tally = Tally(emu)
            start = time.monotonic()
            child = spawn(database, emu)
            stopped_at, in_sending = 0, []
            while True:
                await asyncio.sleep(0.05)
                received = tally.update()
                if stop and not stopped_at and received >= count // 2:
                    os.kill(child.pid, stop)
                    # waited for in a thread: the emulator shares this loop and must keep
                    # answering the sends the child finishes before it exits
                    await asyncio.to_thread(child.wait)
                    stopped_at = received
                    in_sending = sending_chats(database)
                    child = spawn(database, emu)
                if child.poll() is not None:
                    break
            await asyncio.sleep(0.2)
            tally.update()
            if child.returncode != 0:
                raise SystemExit(f"the sender failed (exit {child.returncode})")
            overall = emu.max_rate(None, 1.0, ["sendMessage"])
            per_chat = max(emu.max_rate(c, 1.0, ["sendMessage"]) for c in range(1, count + 1))
        end = time.monotonic()
        rows = statuses(database)
    got = tally.per_chat
    first, last = min(tally.times), max(tally.times)
    return {
        "count": count, "sent": len(tally.times), "total_s": end - start,
        "send_window_s": last - first, "rate": (len(tally.times) - 1) / max(last - first, 1e-9),
        "max_per_second": overall, "max_per_chat_second": per_chat,
        "lost": sum(1 for chat in range(1, count + 1) if not got[chat]),
        "duplicates": sum(n - 1 for n in got.values() if n > 1),
        "flood_429": tally.flood, "stopped_after": stopped_at,
        "interrupted": len(in_sending),
        "interrupted_delivered": sum(1 for chat in in_sending if got[chat]),
        "rows_sent": rows.get("sent", 0), "rows_sending": rows.get("sending", 0),
        "rows_pending": rows.get("pending", 0),
    }


def show(title: str, r: dict[str, float | int]) -> None:
    print(f"\n{title}")
    print(f"  delivered        {r['sent']} / {r['count']}")
    print(f"  delivery rate    {r['rate']:.1f} messages/s (cap {CAP:g}/s), first to last "
          f"message {r['send_window_s']:.1f} s")
    print(f"  busiest second   {r['max_per_second']} messages overall, "
          f"{r['max_per_chat_second']} to one chat")
    print(f"  total time       {r['total_s']:.1f} s (process start-up included)")
    print(f"  lost             {r['lost']}")
    print(f"  duplicates       {r['duplicates']}")
    print(f"  429 from the API {r['flood_429']}")
    if r["stopped_after"]:
        print(f"  stopped after    {r['stopped_after']} messages; {r['interrupted']} row(s) "
              f"left 'sending' (never re-sent), {r['interrupted_delivered']} of them delivered")
    print(f"  rows             sent {r['rows_sent']}, sending {r['rows_sending']}, "
          f"pending {r['rows_pending']}")


async def main(count: int, runs: list[str]) -> int:
    results = {}
    titles = {"steady": f"One announcement to {count} subscribed chats",
              "stop": "Same, sender stopped (SIGTERM) halfway and restarted",
              "crash": "Same, sender killed (SIGKILL) halfway and restarted (at most once)"}
    stops = {"steady": None, "stop": signal.SIGTERM, "crash": signal.SIGKILL}
    for name in runs:
        results[name] = await run(count, stop=stops[name])
        show(titles[name], results[name])
    ok = all(r["duplicates"] == 0 and r["max_per_second"] <= CAP
             and r["max_per_chat_second"] <= 1 for r in results.values()) and \
        all(r["lost"] == 0 for name, r in results.items() if name != "crash")
    return 0 if ok else 1


if __name__ == "__main__":
    _reminders.entry(__doc__, worker, main, 5_000)
