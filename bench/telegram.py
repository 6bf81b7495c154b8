"""Telegram benchmark: the assistant against a minimal python-telegram-bot echo bot, both
long polling the local Bot API (tests/support/botapi) on loopback, under the same load in one run.

Each bot runs in its own process (as in production) with its own local Bot API; this process
plays the users: USERS people at once, each waiting for the answer before the next message
(a closed loop). Two loads per bot: a text (the assistant: an FAQ question; echo: the text
back) and a button press (the assistant: a flow step, "⬅ Retour" edited in place, then the
choice answered with a new message; echo: the same edit / new message). The bots take turns,
load after load, so that all see the same machine. Latency: from the update being available
to the bot until its reply (sendMessage / editMessageText) reaches the Bot API. "CPU ms/màj":
CPU time of the bot's process per update; "octets": size of the replies; "erreurs": replies
that are not answers (a refused call, an apology, "Ce bouton n'est plus actif"), which should
be 0: a fast wrong reply is not a result.

The reference ("echo") is python-telegram-bot as shipped, on its default HTTP client (httpx).
Two more echo bots tell where the assistant's time goes: "echo-taille" answers with replies
as long as the assistant's (text and buttons), the cost of bigger messages; "echo-aiohttp"
runs on the assistant's HTTP client (bot/channels/telegram/http.py), so that the gap between
it and the assistant is the assistant's own work (engine, SQLite, bigger messages).

All bots handle up to 8 updates at once; the assistant runs `build_application()` as
`python -m bot run` does, reminder sweep included, except that Telegram's flood limits
(30 messages/s) are lifted: they would measure Telegram's policy, not our code.

Run: .venv/bin/python bench/telegram.py [--users 20] [--rounds 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This file is named telegram.py: its folder must not hide the `telegram` package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.app import load  # noqa: E402
from bot.channels.telegram.channel import ALLOWED_UPDATES, APOLOGY, build_application  # noqa: E402
from bot.channels.telegram.http import AiohttpRequest  # noqa: E402
from bot.channels.telegram.limits import RetryingRateLimiter  # noqa: E402
from bot.core import messages, redaction  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.support.botapi import BotApiEmulator  # noqa: E402
from tests.support.botapi.state import Chat, User  # noqa: E402

QUESTION = "combien de temps dure la formation ?"
PADDING = (" <b>Engagement 1 sur 5.</b> Pouvez-vous sélectionner un candidat dans les 15 jours"
           " qui suivent sa présentation sur la plateforme nationale ?") * 2
START = 60.0
CONCURRENCY = 8


# --- the bots (run in their own process) -------------------------------------------------

def assistant_app() -> tuple[asyncio.AbstractEventLoop, Any, Settings]:
    """The assistant as `python -m bot run` builds it, flood limits lifted (those shared by
    replicas too), on a new event loop; the loop, the Application, the settings."""
    settings = Settings.from_env()
    redaction.configure(settings.telegram_token, level=30)
    content = load(settings.knowledge_dir, settings.flows_dir)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    store = loop.run_until_complete(Store.open(settings.database))
    limiter = RetryingRateLimiter(overall_max_rate=0, group_max_rate=0)
    app = build_application(settings, content, store, rate_limiter=limiter,
                            concurrency=CONCURRENCY)
    limiter.turn = None
    return loop, app, settings


def serve_assistant() -> None:
    """The assistant, long polling."""
    _, app, _ = assistant_app()
    app.run_polling(allowed_updates=ALLOWED_UPDATES)


def serve_echo(sized: bool, aiohttp: bool) -> None:
    """A minimal python-telegram-bot echo bot (texts back; buttons: edit, or a new message).
    `sized`: its replies are as long as the assistant's (text and buttons); `aiohttp`: on the
    assistant's HTTP client instead of python-telegram-bot's default one."""
    padding = PADDING if sized else ""
    extra = [[InlineKeyboardButton(f"Réponse possible numéro {n}", callback_data=f"w:1{n}:c{n}")]
             for n in range(8 if sized else 0)]

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(data, callback_data=data)], *extra])

    async def echo(update: Update, context: Any) -> None:
        assert update.message is not None
        await update.message.reply_text((update.message.text or "?") + padding * 3,
                                        reply_markup=keyboard("edit"))

    async def button(update: Update, context: Any) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        if query.data == "edit":
            await query.edit_message_text(f"édité {time.monotonic()}{padding}",
                                          reply_markup=keyboard("send"))
        else:
            await context.bot.send_message(query.message.chat.id, f"nouveau{padding}",
                                           reply_markup=keyboard("edit"))

    builder = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"])
               .base_url(os.environ["TELEGRAM_API_URL"]).concurrent_updates(CONCURRENCY))
    if aiohttp:
        builder = (builder.request(AiohttpRequest(connection_pool_size=CONCURRENCY))
                   .get_updates_request(AiohttpRequest(connection_pool_size=1)))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(button))
    app.run_polling(allowed_updates=["message", "callback_query"])


# --- the load (this process) -------------------------------------------------------------

@dataclass
class Result:
    """One load on one bot."""

    bot: str
    load: str
    updates: int
    seconds: float
    latencies: list[float]
    cpu: float | None  # CPU seconds the bot's process used during the load
    reply_bytes: list[int]  # size of each reply (the Message JSON the bot gets back)
    errors: int  # replies refused by the Bot API, apologies, stale-button notices

    @property
    def cpu_ms(self) -> str:
        return "?" if self.cpu is None else f"{self.cpu / self.updates * 1000:.2f}"

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def line(self) -> str:
        return (f"{self.bot:<12} {self.load:<22} {self.updates:>6} {self.per_second:>8.0f}"
                f" {self.percentile(0.5):>8.1f} {self.percentile(0.99):>8.1f}"
                f" {self.cpu_ms:>12} {sum(self.reply_bytes) // len(self.reply_bytes):>9}"
                f" {self.errors:>8}")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def used(pid: int, since: float | None) -> float | None:
    now = cpu_seconds(pid)
    return None if now is None or since is None else now - since


class People:
    """USERS people, each in a private chat with the bot under test, and one watcher that
    notices the bot's replies (one waiter for all, so that the load costs little here)."""

    def __init__(self, emu: BotApiEmulator, users: int, first_id: int) -> None:
        self.emu = emu
        self.pairs: list[tuple[User, Chat]] = []
        for number in range(users):
            user = emu.user(first_id + number, f"Élu {number}")
            self.pairs.append((user, emu.private_chat(user)))
        self.waiting: dict[int, tuple[Chat, tuple[int, Any], asyncio.Future[float]]] = {}
        self.done = False

    @staticmethod
    def replies(chat: Chat) -> tuple[int, Any]:
        """What changes when the bot answers: the last message id, the last keyboard."""
        last = chat.messages.get(chat.last_message_id, {})
        return chat.last_message_id, last.get("reply_markup")

    def _check(self) -> bool:
        now = time.monotonic()
        for chat_id, (chat, before, answered) in list(self.waiting.items()):
            last = chat.messages.get(chat.last_message_id, {})
            if self.replies(chat) != before and last.get("from", {}).get("is_bot"):
                del self.waiting[chat_id]
                answered.set_result(now)
        return self.done

    async def watch(self) -> None:
        """Resolve the waits as replies arrive, until `done`."""
        await self.emu.state.changes.wait_for(self._check, 3600)

    async def act(self, chat: Chat, action: Callable[[], Awaitable[Any]]) -> float:
        """Do something, wait for the bot's reply; the latency in seconds."""
        answered: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat.id] = (chat, self.replies(chat), answered)
        started = time.monotonic()
        await action()
        return await asyncio.wait_for(answered, 10.0) - started

    async def say(self, user: User, chat: Chat, text: str) -> float:
        return await self.act(chat, lambda: self.emu.send_text(chat, user, text))

    async def press(self, user: User, chat: Chat, label: str) -> float:
        message_id = chat.last_message_id
        return await self.act(chat, lambda: self.emu.press(chat, user, message_id, label))

    async def run(self, rounds: int, step: Callable[[User, Chat, int], Awaitable[float]]
                  ) -> tuple[float, list[float]]:
        """Every person does `rounds` steps, all at once; elapsed seconds and latencies."""
        latencies: list[float] = []

        async def person(user: User, chat: Chat) -> None:
            for number in range(rounds):
                latencies.append(await step(user, chat, number))

        started = time.monotonic()
        await asyncio.gather(*(person(user, chat) for user, chat in self.pairs))
        return time.monotonic() - started, latencies


@dataclass
class Bot:
    """A bot under test: its process, its own local Bot API, its people, its two loads."""

    name: str
    emu: BotApiEmulator
    process: Process
    people: People
    text: str
    cycle: tuple[str, str]
    setup: Callable[[User, Chat], Awaitable[None]]

    async def load(self, kind: str, rounds: int) -> Result:
        """One load, measured: the latencies, and the CPU the bot's process used."""
        cpu = cpu_seconds(self.process.pid)
        first_call = len(self.emu.calls)
        if kind == "texte":
            seconds, latencies = await self.people.run(
                rounds, lambda u, c, n: self.people.say(u, c, self.text))
        else:
            seconds, latencies = await self.people.run(
                rounds, lambda u, c, n: self.people.press(u, c, self.cycle[n % 2]))
        calls = self.emu.calls[first_call:]
        sizes = [len(json.dumps(c.result, ensure_ascii=False).encode())
                 for c in calls if c.ok and c.method in REPLIES]
        errors = sum(1 for c in calls if c.method in (*REPLIES, "answerCallbackQuery") and
                     (not c.ok or str(c.params.get("text", "")).startswith(NOT_ANSWERS)))
        return Result(self.name, LOADS[self.name][kind], len(latencies), seconds, latencies,
                      used(self.process.pid, cpu), sizes, errors)


REPLIES = ("sendMessage", "editMessageText")
NOT_ANSWERS = (APOLOGY, messages.STALE_BUTTON)  # STALE_FLOW_BUTTON starts with STALE_BUTTON
BOTS = ("assistant", "echo", "echo-taille", "echo-aiohttp")
ECHOES = BOTS[1:]
LOADS = {"assistant": {"texte": "texte : question FAQ", "bouton": "bouton : étape"},
         **{name: {"texte": "texte : écho", "bouton": "bouton : édition/envoi"}
            for name in ECHOES}}


@asynccontextmanager
async def started(name: str, folder: Path, users: int) -> AsyncIterator[Bot]:
    """The bot's process on its own local Bot API, its people ready for both loads."""
    async with BotApiEmulator() as emu:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "WEBHOOK_", "BOT_"))}
        env.update(TELEGRAM_BOT_TOKEN=emu.token, TELEGRAM_API_URL=emu.base_url,
                   BOT_DATABASE=str(folder / f"{name}.sqlite3"), PYTHONPATH=str(ROOT))
        process = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", name, cwd=ROOT, env=env)
        people = People(emu, users, 1000)
        watcher = asyncio.create_task(people.watch())
        try:
            await emu.wait_until(lambda: emu.calls_to("getUpdates"), START, f"{name} ready")
            if name == "assistant":
                async def setup(user: User, chat: Chat) -> None:
                    await people.say(user, chat, "/eligibilite")
                    await people.press(user, chat, "Commune")
                bot = Bot(name, emu, process, people, QUESTION, ("⬅ Retour", "✓ Commune"),
                          setup)
            else:
                async def setup(user: User, chat: Chat) -> None:
                    await people.say(user, chat, "bonjour")
                bot = Bot(name, emu, process, people, "bonjour", ("edit", "send"), setup)
            yield bot
        finally:
            people.done = True
            emu.state.changes.notify()
            await watcher
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), START)


def merged(results: list[Result]) -> Result:
    """The repetitions of one load on one bot, as one result."""
    cpus = [r.cpu for r in results]
    return Result(results[0].bot, results[0].load, sum(r.updates for r in results),
                  sum(r.seconds for r in results), [x for r in results for x in r.latencies],
                  None if None in cpus else sum(c for c in cpus if c is not None),
                  [size for r in results for size in r.reply_bytes],
                  sum(r.errors for r in results))


async def main(users: int, rounds: int, repeats: int) -> int:
    runs: dict[tuple[str, str], list[Result]] = {}
    with tempfile.TemporaryDirectory() as folder:
        async with contextlib.AsyncExitStack() as stack:
            bots = [await stack.enter_async_context(started(name, Path(folder), users))
                    for name in BOTS]
            for bot in bots:  # warm-up, and each person's first screen
                await bot.people.run(2, lambda u, c, n, bot=bot: bot.people.say(u, c, bot.text))
            for kind in ("texte", "bouton"):
                if kind == "bouton":
                    for bot in bots:
                        await asyncio.gather(*(bot.setup(u, c) for u, c in bot.people.pairs))
                for _ in range(repeats):  # alternate, so that all see the same machine
                    for bot in bots:
                        runs.setdefault((bot.name, kind), []).append(
                            await bot.load(kind, rounds))
    results = {key: merged(value) for key, value in runs.items()}
    print(f"Bot API locale sur 127.0.0.1 ; {users} personnes à la fois ; par bot et par charge, "
          f"{repeats} × {rounds} messages par personne, en alternance entre les bots.")
    print(f"{'bot':<12} {'charge':<22} {'màj':>6} {'màj/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
          f" {'CPU ms/màj':>12} {'octets':>9} {'erreurs':>8}")
    for name in BOTS:
        for kind in ("texte", "bouton"):
            print(results[name, kind].line())
    for kind in ("texte", "bouton"):
        mine = results["assistant", kind]
        for other in ECHOES:
            theirs = results[other, kind]
            goal = " (objectif ≥ 0,8)" if other == "echo" else ""
            print(f"ratio assistant/{other}, {mine.load} : "
                  f"{mine.per_second / theirs.per_second:.2f}{goal}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--serve", choices=BOTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "assistant":
        serve_assistant()
    elif args.serve:
        serve_echo(sized=args.serve == "echo-taille", aiohttp=args.serve == "echo-aiohttp")
    else:
        sys.exit(asyncio.run(main(args.users, args.rounds, args.repeats)))
