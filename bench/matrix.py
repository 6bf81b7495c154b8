"""Matrix benchmark: the assistant (`python -m bot run` with MATRIX_*) against a minimal
matrix-nio echo bot (bench/matrix_echo.py), both through one local Synapse (the tests' own,
tests/support/synapse.py: SQLite, loopback, rate limits lifted), under the same load, in one
run.

Each bot runs in its own process, as in production, and is the only account in its rooms
besides one user; this process plays USERS people at once, each in an end-to-end encrypted
direct room with the bot, each waiting for the answer before the next message (a closed
loop). The message is an FAQ question (the assistant answers it; the echo bot sends it back).
The bots take turns, round after round, so that both see the same machine (Synapse and the
users' clients share its two cores with the bot under test). "échanges/s": answers received
per second over a run; latency: from the user's send until the answer arrives, decrypted;
"CPU ms/éch." the bot process's CPU time per exchange; "erreurs": answers that are not one
(the assistant's apology), which must be 0.

Run: .venv/bin/python bench/matrix.py [--users 10] [--rounds 10] [--repeats 2]
(`make synapse` first: Synapse lives in .venv-synapse/)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from asyncio.subprocess import Process
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from tests.support.matrix import MatrixUser  # noqa: E402
from tests.support.synapse import Account, Synapse  # noqa: E402

QUESTION = "combien de temps dure la formation ?"
APOLOGY = "incident technique"
START = 60.0


class Bot:
    """A bot process under test, its account and its users (a plain class: tests load this
    file as a module outside sys.modules, where dataclasses cannot be made)."""

    def __init__(self, name: str, account: Account, process: Process) -> None:
        self.name, self.account, self.process = name, account, process
        self.users: list[MatrixUser] = []
        self.rooms: list[str] = []
        self.log: list[str] = []


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_bot(name: str, synapse: Synapse, workdir: Path) -> Bot:
    """Register an account and start its bot process; return once it says it is ready."""
    account = synapse.register(f"{name}_{secrets.token_hex(3)}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_",
                                                                     "MATRIX_"))}
    env.update(BOT_DATABASE=str(workdir / name / "bot.sqlite3"),
               MATRIX_HOMESERVER=synapse.url, MATRIX_USER_ID=account.user_id,
               MATRIX_ACCESS_TOKEN=account.access_token,
               MATRIX_STORE_DIR=str(workdir / name / "store"))
    (workdir / name).mkdir(parents=True)
    args = ["-m", "bot", "run"] if name == "assistant" else [str(HERE / "matrix_echo.py")]
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    bot = Bot(name, account, process)
    ready = asyncio.Event()

    async def drain() -> None:  # a full pipe would stall the bot
        assert process.stderr is not None
        async for line in process.stderr:
            bot.log.append(line.decode(errors="replace"))
            if "Assistant prêt sur Matrix" in bot.log[-1] or bot.log[-1].strip() == "ready":
                ready.set()

    asyncio.get_running_loop().create_task(drain())
    await asyncio.wait_for(ready.wait(), START)
    return bot


async def add_users(bot: Bot, synapse: Synapse, count: int, workdir: Path) -> None:
    """`count` people, each in an encrypted direct room with the bot, one exchange done."""
    for _ in range(count):
        user = MatrixUser(synapse, synapse.register(f"u_{secrets.token_hex(4)}"),
                          workdir / "users" / secrets.token_hex(4))
        await user.start()
        bot.users.append(user)
        bot.rooms.append(await user.direct_room(bot.account.user_id))
    await asyncio.gather(*(exchange(u, r) for u, r in zip(bot.users, bot.rooms, strict=True)))


async def exchange(user: MatrixUser, room: str) -> tuple[float, str]:
    """Send the question, wait for the first answer: its latency and text."""
    mark = len(user.received)
    user.arrived.clear()
    started = time.perf_counter()
    await user.say(room, QUESTION)
    while True:
        answers = [r for r in user.received[mark:] if r.room_id == room]
        if answers:
            return time.perf_counter() - started, answers[0].body
        await asyncio.wait_for(user.arrived.wait(), START)
        user.arrived.clear()


async def measure(bot: Bot, rounds: int) -> dict[str, float]:
    """Every user asks `rounds` times (closed loop); exchanges per second and latencies."""
    latencies: list[float] = []
    errors = 0

    async def person(user: MatrixUser, room: str) -> None:
        nonlocal errors
        for _ in range(rounds):
            latency, body = await exchange(user, room)
            latencies.append(latency)
            errors += APOLOGY in body

    cpu = cpu_seconds(bot.process.pid)
    started = time.perf_counter()
    await asyncio.gather(*(person(u, r) for u, r in zip(bot.users, bot.rooms, strict=True)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"count": len(latencies), "rate": len(latencies) / elapsed,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            "cpu": (cpu_seconds(bot.process.pid) - cpu) * 1000 / len(latencies),
            "errors": errors}


async def stop(bot: Bot) -> int:
    for user in bot.users:
        await user.close()
    if bot.process.returncode is None:
        bot.process.terminate()
        try:
            return await asyncio.wait_for(bot.process.wait(), 30)
        except TimeoutError:
            bot.process.kill()
            return await bot.process.wait()
    return bot.process.returncode


async def run(users: int, rounds: int, repeats: int) -> dict[str, dict[str, float]]:
    """Both bots, `repeats` turns each; the best turn of each (the least disturbed)."""
    with tempfile.TemporaryDirectory(prefix="bench-matrix-") as tmp:
        workdir = Path(tmp)
        synapse = Synapse.start(workdir / "synapse")
        bots: list[Bot] = []
        try:
            for name in ("assistant", "echo"):
                bots.append(await start_bot(name, synapse, workdir))
                await add_users(bots[-1], synapse, users, workdir)
            results: dict[str, list[dict[str, float]]] = {b.name: [] for b in bots}
            for _ in range(repeats):
                for bot in bots:
                    results[bot.name].append(await measure(bot, rounds))
            return {name: max(turns, key=lambda t: t["rate"]) for name, turns in results.items()}
        finally:
            for bot in bots:
                await stop(bot)
                problems = [line for line in bot.log if " ERROR " in line or "Traceback" in line]
                if problems:
                    print(f"{bot.name} : {len(problems)} erreur(s) au journal, la première :\n"
                          + "".join(bot.log[bot.log.index(problems[0]):][:40]), file=sys.stderr)
            synapse.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    logging.getLogger("nio").setLevel(logging.ERROR)  # the users' clients' key chatter
    best = asyncio.run(run(args.users, args.rounds, args.repeats))
    print(f"{args.users} personnes × {args.rounds} messages, salons chiffrés, "
          f"meilleur de {args.repeats} tours")
    print(f"{'bot':<10} {'échanges/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/éch.':>12} "
          f"{'erreurs':>8}")
    for name, result in best.items():
        print(f"{name:<10} {result['rate']:>11.1f} {result['p50']:>8.0f} {result['p99']:>8.0f} "
              f"{result['cpu']:>12.1f} {result['errors']:>8.0f}")
    ratio = best["assistant"]["rate"] / best["echo"]["rate"]
    print(f"rapport assistant / écho : {ratio:.2f} (objectif ≥ 0,8)")
    return 0 if best["assistant"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
