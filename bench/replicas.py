"""Replicas benchmark: the assistant in webhook mode behind one public URL, as on a Procfile
host: one process on SQLite, then two processes on one PostgreSQL database (a round-robin
router in front, as the host's, so that the updates of each chat go to both).

USERS people at once in the local Bot API (tests/support/botapi), each waiting for the answer
before the next step (a closed loop, as bench/telegram.py): /eligibilite, « Commune », then
« ⬅ Retour » and « ✓ Commune » in turn, ROUNDS times. Counted: updates handled per second,
latency p50/p99, "erreurs" (a refused call, an apology, a stale button: a lost or mixed step
shows there), and, at the end, each person's stored step (a lost step leaves another one).
Telegram's flood limits are lifted, the shared ones too: they would measure Telegram's policy.

Run: .venv/bin/python bench/replicas.py [--users 20] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import itertools
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# bench/ itself is not an import root: bench/telegram.py must not shadow python-telegram-bot
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bot.channels.telegram import webhook as telegram_webhook  # noqa: E402
from bot.channels.telegram.channel import (  # noqa: E402
    ALLOWED_UPDATES,
    APOLOGY,
    webhook_options,
)
from bot.core import messages  # noqa: E402
from bot.storage.database import is_url  # noqa: E402
from tests.support.botapi import BotApiEmulator, free_port  # noqa: E402
from tests.support.database import rows  # noqa: E402
from tests.support.http import serve  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

SECRET = "bench-replicas"
START = 60.0
CYCLE = ("⬅ Retour", "✓ Commune")
NOT_ANSWERS = (APOLOGY, messages.STALE_BUTTON)


def telegram_bench() -> Any:
    """bench/telegram.py as a module (its People play the users here too)."""
    spec = importlib.util.spec_from_file_location("bench_telegram", HERE / "telegram.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module      # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def serve_assistant() -> None:
    """One replica, as `python -m bot run --webhook` builds it, flood limits lifted."""
    loop, app, settings = telegram_bench().assistant_app()
    loop.run_until_complete(telegram_webhook.serve(
        app, webhook_options(settings, listen="127.0.0.1"), ALLOWED_UPDATES))


async def ready(port: int) -> None:
    """Wait until a replica answers on /healthz."""
    deadline = time.monotonic() + START
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise SystemExit(f"replica on port {port} not ready")


async def run(database: str | Path, replicas: int, users: int, rounds: int) -> dict[str, Any]:
    """The load on `replicas` processes sharing `database`; what was measured."""
    people_of = telegram_bench().People
    ports, hits = [free_port() for _ in range(replicas)], Counter[int]()
    turns = itertools.cycle(range(replicas))
    async with BotApiEmulator() as emu, aiohttp.ClientSession() as session:
        async def forward(request: web.Request) -> web.Response:
            replica = next(turns)
            hits[replica] += 1
            headers = {k: v for k, v in request.headers.items()
                       if k in ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")}
            async with session.post(f"http://127.0.0.1:{ports[replica]}{request.path}",
                                    data=await request.read(), headers=headers) as answer:
                return web.Response(status=answer.status, body=await answer.read())

        async with serve(forward, "/telegram") as public:
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "WEBHOOK_", "BOT_", "DATABASE_"))}
            env.update(TELEGRAM_BOT_TOKEN=emu.token, TELEGRAM_API_URL=emu.base_url,
                       WEBHOOK_URL=public, WEBHOOK_SECRET=SECRET, PYTHONPATH=str(ROOT))
            env["DATABASE_URL" if is_url(database) else "BOT_DATABASE"] = str(database)
            processes = [await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--serve", cwd=ROOT, env={**env, "PORT": str(port)})
                for port in ports]
            people = people_of(emu, users, 1000)
            watcher = asyncio.create_task(people.watch())
            try:
                for port in ports:
                    await ready(port)
                await emu.wait_until(lambda: emu.state.webhook is not None, START, "webhook")
                for user, chat in people.pairs:
                    await people.say(user, chat, "/eligibilite")
                    await people.press(user, chat, "Commune")
                first_call = len(emu.calls)
                seconds, latencies = await people.run(
                    rounds, lambda u, c, n: people.press(u, c, CYCLE[n % 2]))
                calls = emu.calls[first_call:]
            finally:
                people.done = True
                emu.state.changes.notify()
                await watcher
                for process in processes:
                    process.send_signal(signal.SIGTERM)
                for process in processes:
                    await asyncio.wait_for(process.wait(), START)
    errors = sum(1 for c in calls if c.method in ("sendMessage", "editMessageText",
                                                  "answerCallbackQuery")
                 and (not c.ok or str(c.params.get("text", "")).startswith(NOT_ANSWERS)))
    steps = Counter(step for (step,) in rows(
        database, "SELECT step FROM conversations WHERE user_id >= 1000"))
    cuts = statistics.quantiles(latencies, n=100)
    return {"updates": len(latencies), "seconds": seconds, "rate": len(latencies) / seconds,
            "p50_ms": statistics.median(latencies) * 1000, "p99_ms": cuts[98] * 1000,
            "errors": errors, "steps": dict(steps), "per_replica": dict(sorted(hits.items()))}


def show(title: str, result: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"  updates          {result['updates']} in {result['seconds']:.1f} s: "
          f"{result['rate']:.0f} per second")
    print(f"  latency          p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")
    print(f"  errors           {result['errors']}")
    print(f"  stored steps     {result['steps']}")
    print(f"  webhook calls    per replica {result['per_replica']}")


async def main(users: int, rounds: int) -> int:
    expected = "selection" if rounds % 2 == 0 else "structure"
    with tempfile.TemporaryDirectory() as folder:
        sqlite = await run(Path(folder) / "bot.sqlite3", 1, users, rounds)
    show("SQLite, one process", sqlite)
    server = PostgresServer.start(durable=True)
    try:
        postgres = await run(server.url, 2, users, rounds)
    finally:
        server.stop()
    show("PostgreSQL, two processes behind one URL", postgres)
    ratio = postgres["rate"] / sqlite["rate"]
    print(f"\nPostgreSQL with two replicas / SQLite: {ratio:.2f} × the updates per second "
          f"(target ≥ 0.8); every person's stored step should be « {expected} »")
    fine = all(r["errors"] == 0 and r["steps"] == {expected: users} for r in (sqlite, postgres))
    return 0 if fine and ratio >= 0.8 else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve_assistant()
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.users, arguments.rounds)))
