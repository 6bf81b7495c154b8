"""Announcement benchmark (/diffuser): one announcement to N subscribed chats, sent through the
local Bot API emulator under the production rate limits, then the same stopped halfway
(SIGTERM, a normal stop) and restarted, then killed halfway (SIGKILL) and restarted.

    .venv/bin/python bench/broadcast.py              # 5 000 chats, three runs (~9 min)
    .venv/bin/python bench/broadcast.py --count 300  # quick

The sender runs in a child process, the production code path: `Sweeper` over
`BroadcastStore` (bot/broadcast/store.py) with bot/ratelimit.Limits() defaults, its own SQLite
connection and `make_send` on a plain telegram.Bot. The emulator answers 429 past Telegram's
limits (1 message/s in a chat, 30/s overall), so a 429 count of 0 means the limits were kept;
the emulator's own rate helper (`max_rate`) measures the busiest second.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/ itself is not an import root: bench/telegram.py must not shadow python-telegram-bot
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bot.broadcast.store import BroadcastStore  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from bot.storage.timestamps import ts  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_reminders", HERE / "reminders.py")
assert _spec is not None and _spec.loader is not None
_reminders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_reminders)
CAP, show = _reminders.CAP, _reminders.show


async def worker(database: str, base_url: str, token: str) -> None:
    """Send until no delivery is pending; SIGTERM stops after the sends in flight."""

    from bot.broadcast.store import compose  # noqa: PLC0415
    from bot.channels.telegram.sweeps import (  # noqa: PLC0415
        BROADCAST_SWEEP,
        SEND_LIMITS,
        START_GRACE,
        make_send,
        sweep_bot,
    )
    from bot.delivery.sweep import Sweeper  # noqa: PLC0415

    store = await Store.open(database)
    bot = sweep_bot(token, base_url)
    await bot.initialize()
    queue = BroadcastStore(store.db)
    leader = store.db.leadership()
    await leader.start()
    sweeper = Sweeper(queue, make_send(bot), config=BROADCAST_SWEEP, limits=SEND_LIMITS,
                      compose=compose, leader=leader)

    async def sweep_until_done() -> None:
        await asyncio.sleep(START_GRACE)      # as start_broadcasts does
        while await queue.pending():
            claimed = 0
            if sweeper.leading():
                _reminders.mark_leader()
                claimed = (await sweeper.run_once()).claimed
            if not claimed:
                await asyncio.sleep(0.2)

    try:
        await _reminders.until_sigterm(sweep_until_done())
    finally:
        await bot.shutdown()
        await store.close()
        await leader.close()


async def fill(database: str | Path, count: int) -> None:
    """`count` subscribed chats and one announcement queued for them (as /diffuser does)."""
    store = await Store.open(database)
    try:
        now = dt.datetime.now(dt.UTC)
        async with store.db.write() as db:
            await db.executemany(
                "INSERT INTO subscriptions (chat_id, subscribed_at) VALUES (?, ?)",
                [(chat, ts(now)) for chat in range(1, count + 1)])
        broadcasts = BroadcastStore(store.db)
        draft = await broadcasts.draft(1, "📢 <b>Annonce</b>\n\nWebinaire jeudi.", now)
        assert await broadcasts.queue(draft, 1, now) == count
    finally:
        await store.close()


async def run(count: int, *, stop: signal.Signals | None = None,
              database: str | None = None, replicas: int = 1) -> dict[str, Any]:
    """One run on a fresh database (`database`, an empty PostgreSQL one; default: a temporary
    SQLite file) and emulator, `replicas` senders; optionally stop the leader halfway."""
    with tempfile.TemporaryDirectory() as tmp:
        target = database or Path(tmp) / "bot.sqlite3"
        await fill(target, count)

        def busiest(emu: Any) -> dict[str, int]:
            chats = range(1, count + 1)
            return {"max_per_second": emu.max_rate(None, 1.0, ["sendMessage"]),
                    "max_per_chat_second": max(emu.max_rate(c, 1.0, ["sendMessage"])
                                               for c in chats)}

        return await _reminders.deliver(count, target, table="broadcast_deliveries",
                                        script=__file__, stop=stop, measure=busiest,
                                        replicas=replicas)


async def main(count: int, runs: list[str], server: Any = None, replicas: int = 1) -> int:
    results = {}
    titles = {"steady": f"One announcement to {count} subscribed chats",
              "stop": "Same, sender stopped (SIGTERM) halfway and restarted",
              "crash": "Same, sender killed (SIGKILL) halfway and restarted (at most once)"}
    stops = {"steady": None, "stop": signal.SIGTERM, "crash": signal.SIGKILL}
    for name in runs:
        database = server.create_database(f"bench_{name}") if server else None
        results[name] = await run(count, stop=stops[name], database=database,
                                  replicas=replicas)
        show(titles[name], results[name])
    ok = all(r["duplicates"] == 0 and r["max_per_second"] <= CAP
             and r["max_per_chat_second"] <= 1 for r in results.values()) and \
        all(r["lost"] == 0 for name, r in results.items() if name != "crash")
    return 0 if ok else 1


if __name__ == "__main__":
    _reminders.entry(__doc__, worker, main, 5_000)
