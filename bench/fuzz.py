"""Fuzz suite: generated inputs thrown at the engine and at the real Application over HTTP.

    .venv/bin/python bench/fuzz.py                       # 10 000+ inputs (about two minutes)
    .venv/bin/python bench/fuzz.py --engine 300 --http 120 --seed 7   # what `make test` runs

Engine part: texts (hostile, unicode, huge numbers, commands), typed values at every step of
every flow (each flow is walked again and again, with random valid answers to take every
branch, and generated values thrown at each question), and button payloads (real ones,
mutated ones, forged ones), through `Assistant.handle` on a real SQLite file.

HTTP part: the real Application of bot/channels/telegram/channel.py against the local Bot API
emulator (tests/support/botapi): in long polling, private chats send generated texts, press real
and forged buttons, send files, stickers, unknown and unreadable updates; then in webhook mode
(bot/channels/telegram/webhook.py, the production server), the same plus raw webhook bodies
(random bytes, broken JSON, JSON that is no update).

Reported, all of which must be 0:
- tracebacks: exceptions out of the engine, and log records with a traceback or at ERROR;
- lost state: a flow in progress that an ordinary input ends or forgets answers of, and an
  update of the Application never handled (a lost press or message), or a text without reply;
- invalid HTML: replies the emulator's Telegram HTML parser refuses (and the engine's replies
  checked with the same parser), buttons over 64 bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import datetime as dt
import json
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/ itself is not an import root: bench/telegram.py must not shadow python-telegram-bot
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bot import app  # noqa: E402
from bot.app import build_assistant  # noqa: E402
from bot.assistant import Assistant  # noqa: E402
from bot.content.loader import Content  # noqa: E402
from bot.core.callbacks import FlowButton  # noqa: E402
from bot.core.replies import Conversation, Incoming, Outgoing  # noqa: E402
from bot.dialogue.model import StepKind  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.support.botapi.entities import HtmlError, parse_html  # noqa: E402

NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)
COMMANDS = ["/start", "/menu", "/aide", "/simulation", "/eligibilite", "/rappels", "/annuler",
            "/reprendre", "/oubli", "/abonner", "/desabonner", "/stats", "/diffuser x",
            "/inconnue", "/start@autre_bot", "/", "/" + "x" * 300]
# Commands and payload kinds that may end or replace a flow on purpose
FLOW_CHANGING = ("/simulation", "/eligibilite", "/rappels", "/annuler", "/oubli")
HOSTILE = ["", " ", "\x00\x01\x1b[31m", "😀" * 40, "🇫🇷" * 50, "<b>gras</b>", "<script>x</script>",
           "a < b & c > d", "&amp;&lt;", "'; DROP TABLE conversations; --", "a" * 5000,
           "\u202e\u200b\ufeff", "%s %d {0} {param}", "\\N{SNOWMAN}", "é" * 3000, "\n\n\n",
           "<a href='javascript:x'>x</a>", "</b></i>", "<<<>>>"]
WORDS = ["oui", "ouais", "non", "nan", "smic", "SMIC", "par défaut", "défaut", "garder",
         "une association", "asso", "commune", "publique", "privée", "métropole", "guyane",
         "la réunion", "hier", "aujourd'hui", "demain", "combien", "pour", "postes", "mois",
         "subvention", "QPV", "ZRR", "renouvellement", "initiale", "?", "€", "%", "-", "le",
         "combien pour 2 postes en outre-mer ?", "c'est quoi le CCP1 ?", "1er mars 2021",
         "12 mars", "ESS", "publique ou privée", "annuler", "retour"]


# --- generators ------------------------------------------------------------------------------

def number_text(rng: random.Random) -> str:
    """Numbers as people (and attackers) type them."""
    digits = rng.choice([1, 2, 3, 4, 6, 12, 20, 40, 400, 5000])
    number = "".join(rng.choice("0123456789") for _ in range(digits)).lstrip("0") or "0"
    return rng.choice([
        number, f"-{number}", f"{number},{rng.randint(0, 99)}", f"{number} %", f"{number} €",
        f"{number} postes", f"{number} mois", f"{number[:3]} {number[3:6]}", f"1e{number[:3]}",
        f"{number}.{number}", f"−{number}", f"{number} euros brut", "0", "00", "٣", "²",
        f"{rng.randint(-5, 5000)}", f"{rng.uniform(-1e6, 1e6):.3f}"])


def date_text(rng: random.Random) -> str:
    day, month, year = (rng.choice([1, 12, 29, 31, 0, 32, 99, 10 ** 20]),
                        rng.choice([1, 2, 12, 13, 0, 10 ** 20]),
                        rng.choice([2019, 2020, 2021, 2025, 2026, 2030, 2031, 2100, 21, 0,
                                    99999, 10 ** 20]))
    return rng.choice([f"{day}/{month}/{year}", f"{year}-{month}-{day}", f"{day} mars {year}",
                       f"{day}/{month}", f"{day} {rng.choice(['janvier', 'fevr', 'aout'])}",
                       "1er mars 2021", "hier", "aujourd'hui", "demain", f"mars {year}"])


def unicode_text(rng: random.Random, length: int) -> str:
    ranges = [(0x20, 0x7e), (0xa0, 0x17f), (0x300, 0x36f), (0x590, 0x6ff), (0x2000, 0x206f),
              (0x1f300, 0x1f64f), (0xfe00, 0xfe0f), (0x0, 0x1f), (0x4e00, 0x4e80)]
    chars = []
    for _ in range(length):
        low, high = rng.choice(ranges)
        chars.append(chr(rng.randint(low, high)))
    return "".join(chars)


def random_text(rng: random.Random, labels: list[str]) -> str:
    """Any text a person or an attacker may send."""
    pick = rng.random()
    if pick < 0.15:
        return rng.choice(HOSTILE)
    if pick < 0.3:
        return unicode_text(rng, rng.choice([1, 3, 10, 50, 300, 1200]))
    if pick < 0.45:
        return number_text(rng)
    if pick < 0.55:
        return date_text(rng)
    if pick < 0.62:
        return rng.choice(COMMANDS) + rng.choice(["", " ", " x", " " + unicode_text(rng, 5)])
    if pick < 0.75 and labels:
        label = rng.choice(labels)
        return rng.choice([label, label.upper(), label[: max(1, len(label) // 2)],
                           label.replace("é", "e"), f"  {label}!! "])
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))


def payload(rng: random.Random, seen: list[str], seq: int) -> str:
    """A button payload: a real one, a mutated one, or a forged one."""
    pick = rng.random()
    if pick < 0.25 and seen:
        return rng.choice(seen)
    big = "9" * rng.choice([1, 5, 18, 19, 20, 40])
    code = rng.choice(["o0", "o1", "o9", "o999", "k", "d", "s0", "s9", "b", "e0", "e99", "t",
                       "p", "g", "c", "z0", "o²", "e-1"])
    return rng.choice([
        f"w:{seq:x}:{code}", f"w:{rng.randint(0, 50)}:{code}", f"w:{big}:{code}",
        f"w:zzzzzzzzz:{code}", f"n:{big}", f"n:{rng.randint(0, 100)}", "n:²", f"s:{big}:montant",
        f"s:1:{unicode_text(rng, 4)}", f"f:{unicode_text(rng, 6)}", "f:", "m", "m:x",
        f"c:{rng.choice(['simulation', 'rappels', 'oubli', 'stats', 'x'])}",
        f"q:{big[:7]}:metropole:public", "q:-1::", f"q:2:{unicode_text(rng, 3)}:prive",
        f"r:c:{big}", f"r:{unicode_text(rng, 3)}", f"o:y:{big}", f"o:n:{seq}", "o:y:²",
        f"d:{big}:y", "d:1:n", "", ":", "::::", unicode_text(rng, rng.randint(1, 64))])


def valid_for(step_kind: str) -> list[str]:
    """Typed answers that some question of this kind takes (to move the walk on)."""
    return {StepKind.DATE: ["01/03/2021", "12/03/2021", "aujourd'hui", "hier"],
            StepKind.INT: ["2", "24", "1"], StepKind.EUROS: ["1800", "smic"],
            StepKind.PERCENT: ["36,5", "par défaut"]}.get(StepKind(step_kind), [])


# --- checks ----------------------------------------------------------------------------------

@dataclass
class Report:
    """What the fuzzing found."""

    inputs: Counter[str] = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    invalid_html: list[str] = field(default_factory=list)

    def total(self) -> int:
        return sum(self.inputs.values())

    def ok(self) -> bool:
        return not (self.tracebacks or self.lost or self.invalid_html)


class Tracebacks(logging.Handler):
    """Log records with a traceback, or at ERROR and above."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.found.append(f"{record.name}: {record.getMessage()[:300]}")


def check_replies(replies: list[Outgoing], report: Report, what: str) -> None:
    for reply in replies:
        if reply.file is None and not reply.text.strip():
            report.invalid_html.append(f"réponse vide ({what})")
        try:
            parse_html(reply.text)
        except HtmlError as error:
            report.invalid_html.append(f"{error} ({what}): {reply.text[:200]!r}")
        for row in reply.buttons:
            for button in row:
                if not 1 <= len(button.payload.encode()) <= 64:
                    report.invalid_html.append(f"bouton de {len(button.payload)} octets")


# --- the engine ------------------------------------------------------------------------------

class EngineFuzzer:
    """One conversation walking the flows, with generated inputs at each step."""

    def __init__(self, assistant: Assistant, rng: random.Random, report: Report,
                 conversation: Conversation) -> None:
        self.assistant = assistant
        self.rng = rng
        self.report = report
        self.conversation = conversation
        self.last: list[Outgoing] = []
        self.seen: list[str] = []
        self.flow_buttons: list[FlowButton] = []  # of the last flow screen shown

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [(b.label, b.payload) for r in self.last for row in r.buttons for b in row]

    async def send(self, incoming: Incoming, kind: str) -> list[Outgoing]:
        self.report.inputs[kind] += 1
        store = self.assistant.store
        before = await store.conversation(self.conversation.chat_id, self.conversation.user_id)
        try:
            replies = await self.assistant.handle(self.conversation, incoming)
        except Exception as error:  # the assistant must never let one out
            self.report.tracebacks.append(f"{type(error).__name__}: {error} ← {incoming!r}"[:300])
            return []
        check_replies(replies, self.report, f"{kind} {incoming.value[:60]!r}")
        after = await store.conversation(self.conversation.chat_id, self.conversation.user_id)
        self.check_state(incoming, before, after, kind)
        self.last = replies or self.last
        self.seen = [p for _, p in self.buttons] or self.seen
        flow = [b for _, p in self.buttons if (b := FlowButton.unpack(p)) is not None]
        self.flow_buttons = flow or self.flow_buttons
        return replies

    def check_state(self, incoming: Incoming, before: Any, after: Any, kind: str) -> None:
        """An ordinary input keeps the flow in progress and every earlier answer."""
        if before is None or before.flow_id is None or not self.ordinary(incoming, before.seq):
            return
        what = f"{kind} {incoming.value[:60]!r} à l'étape {before.step}"
        if after is None or after.flow_id != before.flow_id:
            self.report.lost.append(f"questionnaire perdu : {what}")
            return
        if after.seq < before.seq:
            self.report.lost.append(f"tour revenu en arrière : {what}")
        if before.editing:  # a changed answer may change the path: the answers off it go
            return
        changed = [k for k in before.answers if k in before.history and k != before.step
                   and after.answers.get(k) != before.answers[k]]
        if changed:
            self.report.lost.append(f"réponses perdues {changed} : {what}")

    @staticmethod
    def ordinary(incoming: Incoming, seq: int) -> bool:
        """Not an input that may end or restart a flow on purpose."""
        value = incoming.value.strip()
        if incoming.kind == "text":
            return not value.startswith("/")
        kind = value.partition(":")[0]
        if kind in ("c", "q", "o", "r"):
            return False
        button = FlowButton.unpack(value)
        return button is None or button.seq != seq

    async def walk(self, flow_id: str, throws: int, budget: int) -> int:
        """Walk a flow from its start; at each question, `throws` generated inputs, then a
        random valid answer. Returns how many inputs were sent."""
        sent = 0
        await self.send(Incoming.text(f"/{flow_id}"), "commande")
        sent += 1
        for _ in range(40):
            if sent >= budget:
                return sent
            row = await self.assistant.store.conversation(self.conversation.chat_id,
                                                          self.conversation.user_id)
            if row is None or row.flow_id != flow_id:
                return sent
            flow = self.assistant.content.flows[flow_id]
            step = flow.steps.get(row.step or "")
            if step is None:
                return sent
            for _ in range(throws):
                await self.throw(step.kind, row.seq)
                sent += 1
            now = await self.assistant.store.conversation(self.conversation.chat_id,
                                                          self.conversation.user_id)
            if now is not None and now.flow_id == flow_id and now.step == row.step:
                sent += await self.advance(step.kind, now.seq)
        return sent

    async def throw(self, step_kind: str | None, seq: int) -> None:
        """A generated input; at a question (`step_kind`), one that should not end the flow
        (no command, no button of another feature), typed for the question more often."""
        rng = self.rng
        labels = [label for label, _ in self.buttons]
        for _ in range(20):
            pick = rng.random()
            if step_kind is not None and pick < 0.55:
                make = {StepKind.DATE: date_text, StepKind.INT: number_text,
                        StepKind.EUROS: number_text,
                        StepKind.PERCENT: number_text}.get(StepKind(step_kind))
                value = make(rng) if make and rng.random() < 0.6 else random_text(rng, labels)
                incoming, kind = Incoming.text(value), f"valeur tapée ({step_kind})"
            elif pick < 0.85:
                incoming, kind = Incoming.text(random_text(rng, labels)), "texte"
            else:
                incoming, kind = Incoming.button(payload(rng, self.seen, seq)), "bouton"
            if step_kind is None or self.ordinary(incoming, seq):
                break
        await self.send(incoming, kind)

    async def advance(self, step_kind: str, seq: int) -> int:
        """A valid answer: a random button of the flow screen, or a valid typed value."""
        rng = self.rng
        current = [b for b in self.flow_buttons if b.seq == seq]
        choices = [b.pack() for b in current if b.code[:1] in "odks"]
        recap = [b.pack() for b in current if b.code[:1] in "tez"]
        if choices and rng.random() < 0.8:
            await self.send(Incoming.button(rng.choice(choices)), "bouton du questionnaire")
            return 1
        if recap:
            await self.send(Incoming.button(rng.choice(recap)), "bouton du récapitulatif")
            return 1
        options = valid_for(step_kind)
        if options:
            await self.send(Incoming.text(rng.choice(options)), "valeur valide")
            return 1
        if choices:
            await self.send(Incoming.button(rng.choice(choices)), "bouton du questionnaire")
            return 1
        await self.send(Incoming.text("/annuler"), "commande")
        return 1


async def fuzz_engine(content: Content, folder: Path, count: int, rng: random.Random,
                      report: Report) -> None:
    """`count` inputs through the engine, on a real SQLite file; the store is reopened now and
    then (a restart) and the conversation must resume."""
    store = await Store.open(folder / "engine.sqlite3")
    try:
        assistant = build_assistant(content, store, clock=lambda: NOW, admins=frozenset({1}))
        users = [EngineFuzzer(assistant, rng, report, Conversation(chat, chat))
                 for chat in (1, 2, -100, 3)]
        flows = sorted(content.flows)
        sent = 0
        while sent < count:
            user = rng.choice(users)
            if rng.random() < 0.7:
                sent += await user.walk(rng.choice(flows), rng.choice([1, 2, 4]), count - sent)
            else:
                for _ in range(min(20, count - sent)):
                    await user.throw(None, 0)
                    sent += 1
    finally:
        await store.close()


# --- the Application over HTTP ----------------------------------------------------------------

class HttpFuzzer:
    """Private chats talking to the real Application through the emulator."""

    def __init__(self, emu: Any, handled: Any, rng: random.Random, report: Report,
                 users: int) -> None:
        self.emu = emu
        self.handled = handled
        self.rng = rng
        self.report = report
        self.people = []
        for number in range(users):
            user = emu.user(10_000 + number, f"Personne {number}", f"p{number}")
            self.people.append((user, emu.private_chat(user)))
        self.expected: dict[int, int] = {}  # update id → chat that must get a reply

    async def round(self) -> None:
        """Each person does one thing; wait until every update is handled."""
        emu, rng = self.emu, self.rng
        ids: list[int] = []
        calls_before = len(emu.calls)
        replies_due: set[int] = set()
        for user, chat in self.people:
            pick = rng.random()
            bot_messages = emu.bot_messages(chat)
            buttons = [(m.message_id, data) for m in bot_messages[-3:]
                       for row in m.buttons for _, data in row if data]
            queue = emu.state.updates
            before = {u["update_id"] for u in queue.pending}
            if pick < 0.5 or not bot_messages:
                text = random_text(rng, [t for m in bot_messages[-2:] for r in m.buttons
                                         for t, _ in r])
                if not text.strip():
                    text = "?"
                self.report.inputs["texte (HTTP)"] += 1
                await emu.send_text(chat, user, text[:4096])
                replies_due.add(chat.id)
            elif pick < 0.75 and buttons:
                message_id, data = rng.choice(buttons)
                self.report.inputs["bouton (HTTP)"] += 1
                await emu.press(chat, user, message_id, data)
            elif pick < 0.88:
                message_id = bot_messages[-1].message_id
                self.report.inputs["bouton forgé (HTTP)"] += 1
                self.forge(chat, user, message_id, payload(rng, [d for _, d in buttons], 0))
            elif pick < 0.94:
                self.report.inputs["fichier (HTTP)"] += 1
                await emu.send_document(chat, user, b"%PDF-1.4 x", "note.pdf",
                                        caption=rng.choice([None, "<b>x</b>", "combien ?"]))
                replies_due.add(chat.id)
            else:
                self.report.inputs["mise à jour inconnue ou illisible (HTTP)"] += 1
                self.push_odd(chat, user)
            ids += [u["update_id"] for u in queue.pending if u["update_id"] not in before]
        await self.wait(ids)
        got = {int(c.params.get("chat_id", 0)) for c in emu.calls[calls_before:]
               if c.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto")}
        for chat_id in replies_due - got:
            self.report.lost.append(f"message sans réponse (chat {chat_id})")

    def forge(self, chat: Any, user: Any, message_id: int, data: str) -> None:
        from tests.support.botapi.state import chat_instance  # noqa: PLC0415

        state = self.emu.state
        query = {"id": state.new_query_id(), "from": user.to_api(),
                 "message": copy.deepcopy(chat.messages[message_id]),
                 "chat_instance": chat_instance(state.bot.id, chat.id), "data": data or "x"}
        state.open_queries[query["id"]] = query
        state.updates.push("callback_query", copy.deepcopy(query))

    def push_odd(self, chat: Any, user: Any) -> None:
        """A sticker, an edited message, a poll, an unreadable message, a membership change."""
        state, rng = self.emu.state, self.rng
        message = {"message_id": chat.new_message_id(), "from": user.to_api(),
                   "chat": chat.to_api(), "date": state.now()}
        odd = rng.choice([
            ("message", {**message, "sticker": {"file_id": "s", "file_unique_id": "s",
                                                "type": "regular", "width": 1, "height": 1,
                                                "is_animated": False, "is_video": False}}),
            ("message", {**message, "location": {"latitude": 1.0, "longitude": 2.0}}),
            ("message", {k: v for k, v in message.items() if k != "date"} | {"text": "x"}),
            ("message", {**message, "text": None}),
            ("callback_query", {"id": "q", "from": user.to_api(), "chat_instance": "1"}),
            ("my_chat_member", {"chat": chat.to_api(), "from": user.to_api(), "date": 1,
                                "old_chat_member": {"status": "member",
                                                    "user": state.bot.to_api()},
                                "new_chat_member": {"status": "member",
                                                    "user": state.bot.to_api()}})])
        state.updates.push(*odd)

    async def wait(self, ids: list[int], within: float = 30.0) -> None:
        """Until every update is handled; those that never are count as lost."""
        deadline = time.monotonic() + within
        while any(i not in self.handled.ids for i in ids):
            if time.monotonic() > deadline:
                missing = [i for i in ids if i not in self.handled.ids]
                self.report.lost.append(f"mises à jour jamais traitées : {missing[:10]}")
                return
            await asyncio.sleep(0.01)


async def fuzz_http(content: Content, folder: Path, count: int, rng: random.Random,
                    report: Report) -> None:
    """`count` inputs through the real Application: long polling, then the webhook server."""
    from telegram import Update  # noqa: PLC0415
    from telegram.ext import TypeHandler  # noqa: PLC0415

    from bot.channels.telegram.channel import ALLOWED_UPDATES, build_application  # noqa: PLC0415
    from bot.channels.telegram.webhook import serve  # noqa: PLC0415
    from tests.support.botapi import BotApiEmulator, free_port  # noqa: PLC0415
    from tests.support.telegram import (  # noqa: PLC0415
        WEBHOOK_SECRET,
        Handled,
        serving,
        settings_for,
        test_limiter,
    )

    async with BotApiEmulator(bot_username="cnfs_assistant_bot") as emu:
        handled = Handled(emu)
        fuzzer = HttpFuzzer(emu, handled, rng, report, users=20)
        database = folder / "http.sqlite3"
        rounds = max(1, count // 2 // len(fuzzer.people))

        store = await Store.open(database)
        app = build_application(settings_for(emu, database, free_port()), content, store,
                                clock=lambda: NOW, rate_limiter=test_limiter())
        app.add_handler(TypeHandler(Update, handled.record), group=100)
        async with serving(app):
            for _ in range(rounds):
                await fuzzer.round()

        port = free_port()
        settings = settings_for(emu, database, port)
        store = await Store.open(database)
        app = build_application(settings, content, store, clock=lambda: NOW,
                                rate_limiter=test_limiter())
        app.add_handler(TypeHandler(Update, handled.record), group=100)
        stop = asyncio.Event()
        options = {"listen": "127.0.0.1", "port": port, "url_path": "telegram",
                   "webhook_url": f"http://127.0.0.1:{port}/telegram",
                   "secret_token": WEBHOOK_SECRET}
        server = asyncio.create_task(serve(app, options, ALLOWED_UPDATES, stop=stop))
        try:
            await emu.wait_until(lambda: emu.state.webhook is not None and app.running, 30,
                                 "webhook set")
            for _ in range(rounds):
                await fuzzer.round()
            await post_bodies(port, rng, report, max(20, count // 10))
        finally:
            stop.set()
            await server
        invalid = [c for c in emu.calls if c.status == 400 and c.description
                   and "can't parse entities" in c.description]
        report.invalid_html += [f"HTML refusé par l'API : {c.description}" for c in invalid]


async def post_bodies(port: int, rng: random.Random, report: Report, count: int) -> None:
    """Raw webhook bodies with the right secret: each gets 200 or 400, never a 500."""
    import aiohttp  # noqa: PLC0415

    from tests.support.telegram import WEBHOOK_SECRET  # noqa: PLC0415

    headers = {"Content-Type": "application/json",
               "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with aiohttp.ClientSession() as http:
        for number in range(count):
            body = rng.choice([
                rng.randbytes(rng.randint(0, 200)), b"{", b"[]", b"null", b"1e999", b'"x"',
                json.dumps({"update_id": 900_000 + number}).encode(),
                json.dumps({"update_id": 900_000 + number, "poll": {"id": "1"}}).encode(),
                json.dumps({"update_id": "x", "message": {}}).encode(),
                json.dumps({"update_id": 900_000 + number, unicode_text(rng, 5): {}}).encode(),
                unicode_text(rng, 50).encode("utf-8", "surrogatepass"),
                json.dumps([{"update_id": 1}] * 3).encode()])
            report.inputs["corps de webhook"] += 1
            async with http.post(f"http://127.0.0.1:{port}/telegram", data=body,
                                 headers=headers) as response:
                if response.status not in (200, 400):
                    report.tracebacks.append(f"webhook : {response.status} pour {body[:60]!r}")


# --- main ------------------------------------------------------------------------------------

async def run(engine: int, http: int, seed: int, folder: Path | None = None) -> Report:
    """One fuzzing run; returns what it found."""
    rng = random.Random(seed)
    report = Report()
    content = app.load(ROOT / "knowledge", ROOT / "flows")
    catcher = Tracebacks()
    root = logging.getLogger()
    root.addHandler(catcher)
    previous = root.level
    root.setLevel(logging.INFO)
    try:
        with contextlib.ExitStack() as stack:
            where = folder or Path(stack.enter_context(tempfile.TemporaryDirectory()))
            await fuzz_engine(content, where, engine, rng, report)
            if http:
                await fuzz_http(content, where, http, rng, report)
    finally:
        root.removeHandler(catcher)
        root.setLevel(previous)
    report.tracebacks += catcher.found
    return report


def show(report: Report, seconds: float) -> None:
    print(f"{report.total()} entrées en {seconds:.1f} s")
    for kind, number in sorted(report.inputs.items(), key=lambda item: -item[1]):
        print(f"  {number:6d}  {kind}")
    for title, found in (("tracebacks", report.tracebacks), ("état perdu", report.lost),
                         ("HTML invalide", report.invalid_html)):
        print(f"{title:15s} {len(found)}")
        for line in found[:10]:
            print(f"    {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--engine", type=int, default=8000, help="inputs through the engine")
    parser.add_argument("--http", type=int, default=2400,
                        help="inputs through the Application (half polling, half webhook, "
                             "plus a tenth as raw webhook bodies)")
    parser.add_argument("--seed", type=int, default=None)
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.randrange(1 << 30)
    print(f"graine {seed} (rejouer : --seed {seed})")
    start = time.monotonic()
    report = asyncio.run(run(arguments.engine, arguments.http, seed))
    show(report, time.monotonic() - start)
    return 0 if report.ok() else 1


if __name__ == "__main__":
    sys.exit(main())
