"""Terminal channel: the same engine; buttons shown as [1] Libellé, pressed by number or label."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TextIO

from bot.assistant import Assistant
from bot.core import options
from bot.core.formatting import plain
from bot.core.replies import Button, Conversation, Incoming, Outgoing

CONSOLE = Conversation(chat_id=0, user_id=0)
APOLOGY = ("Désolé, un incident technique m'empêche de répondre à ce message. Continuez : "
           "vos réponses déjà données sont conservées.")
log = logging.getLogger(__name__)


class Console:
    """Reads inputs, prints replies, remembers the last buttons so they can be pressed."""

    def __init__(self, assistant: Assistant, output: TextIO, files_dir: Path) -> None:
        self.assistant = assistant
        self.output = output
        self.files_dir = files_dir
        self.buttons: list[Button] = []

    def resolve(self, line: str) -> Incoming:
        """A typed number or label presses that button (bot/core/options.py)."""
        return options.resolve(line, self.buttons)

    def ambiguous(self, line: str) -> str | None:
        """A number that may be a button or a value: the question to ask (or None)."""
        return options.ambiguous(line, self.buttons)

    async def send(self, line: str) -> list[Outgoing]:
        """Handle one line of input and print the replies; a failure is logged (with an
        excerpt of the line) and apologised for, and the next line is read as usual."""
        question = self.ambiguous(line)
        if question is not None:
            print(question, file=self.output)
            print(file=self.output)
            return []
        try:
            replies = await self.assistant.handle(CONSOLE, self.resolve(line))
        except Exception:
            log.exception("échec du traitement de la ligne %r", line[:100])
            replies = [Outgoing(text=APOLOGY)]
        for reply in replies:
            self.show(reply)
        return replies

    def show(self, reply: Outgoing) -> None:
        print(plain(reply.text), file=self.output)
        if reply.file is not None:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / reply.file.filename
            path.write_bytes(reply.file.data)
            print(f"Fichier enregistré : {path}", file=self.output)
        if reply.buttons:
            self.buttons = [b for row in reply.buttons for b in row]
            for cells in options.numbered(reply.buttons):
                print("  ".join(cells), file=self.output)
        print(file=self.output)


async def run(assistant: Assistant, stdin: TextIO, stdout: TextIO, files_dir: Path,
              banner: str | None = None) -> None:
    """Interactive chat on a terminal; one input per line, until end of input, otherwise."""
    console = Console(assistant, stdout, files_dir)
    interactive = stdin.isatty()
    if banner:
        print(banner, file=stdout)
    if interactive:
        await console.send("/start")
    while True:
        if interactive:
            try:
                line = await asyncio.to_thread(input, "Vous › ")
            except (EOFError, KeyboardInterrupt):
                print(file=stdout)
                return
        else:
            line = stdin.readline()
            if not line:
                return
            line = line.rstrip("\n")
            print(f"» {line}", file=stdout)
        await console.send(line)
        stdout.flush()

