"""Terminal channel: the same engine; buttons shown as [1] Libellé, pressed by number or label."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import TextIO

from bot.assistant import Assistant
from bot.core.callbacks import FlowButton
from bot.core.formatting import plain
from bot.core.replies import Button, Conversation, Incoming, Outgoing
from bot.core.text import normalize

CONSOLE = Conversation(chat_id=0, user_id=0)
APOLOGY = ("Désolé, un incident technique m'empêche de répondre à ce message. Continuez : "
           "vos réponses déjà données sont conservées.")
AMBIGUOUS = ("« {number} » : le bouton [{number}] « {label} », ou la valeur {number} ? Tapez "
             "« [{number}] » pour le bouton, ou la valeur avec son unité (par exemple "
             "« {number} % », « {number} mois »).")
log = logging.getLogger(__name__)


class Console:
    """Reads inputs, prints replies, remembers the last buttons so they can be pressed."""

    def __init__(self, assistant: Assistant, output: TextIO, files_dir: Path) -> None:
        self.assistant = assistant
        self.output = output
        self.files_dir = files_dir
        self.buttons: list[Button] = []

    def resolve(self, line: str) -> Incoming:
        """A typed number or button label presses that button; anything else is text.

        When buttons offer numbers ("2 postes", "24 mois"), the question expects a number:
        a typed number is then the answer, and buttons are pressed by their label.
        """
        choice = line.strip()
        pressed = re.fullmatch(r"\[(\d{1,3})\]", choice)  # "[1]": the button, always
        if pressed and 1 <= int(pressed.group(1)) <= len(self.buttons):
            return Incoming.button(self.buttons[int(pressed.group(1)) - 1].payload)
        offers_numbers = any(b.label[:1].isdigit() for b in self.buttons)
        if choice.isdigit() and not offers_numbers and 1 <= int(choice) <= len(self.buttons):
            return Incoming.button(self.buttons[int(choice) - 1].payload)
        wanted = normalize(choice)
        for button in self.buttons:
            if wanted and normalize(button.label) == wanted:
                return Incoming.button(button.payload)
        return Incoming.text(line)

    def ambiguous(self, line: str) -> str | None:
        """A number typed where the buttons offer values ("36,5 %", "35 %"), that is also
        the number of a value button showing another figure: which one is meant is asked
        (the question that follows says how to type each)."""
        choice = line.strip()
        offers_numbers = any(b.label[:1].isdigit() for b in self.buttons)
        if not offers_numbers or not choice.isdigit() or \
                not 1 <= int(choice) <= len(self.buttons):
            return None  # no value on the buttons: a number presses one (see resolve)
        button = self.buttons[int(choice) - 1]
        flow = FlowButton.unpack(button.payload)
        if flow is None or not (flow.code in ("k", "d") or flow.code.startswith("s")):
            return None  # not a value: "3" at the posts question is 3 posts
        shown = re.match(r"\d+", button.label)
        if shown is not None and shown.group() == choice:
            return None  # button 1 says "1 poste": the same answer either way
        return AMBIGUOUS.format(number=choice, label=button.label)

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
            number = 0
            for row in reply.buttons:
                cells = []
                for button in row:
                    number += 1
                    cells.append(f"[{number}] {button.label}")
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

