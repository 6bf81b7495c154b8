"""A process killed (SIGKILL) in the middle of a flow resumes, once restarted, where it was."""

from __future__ import annotations

import json
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.core.config import ROOT
from tests.support.processes import bot_env

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


class Terminal:
    """`python -m bot chat` as a real process: type a line, wait for a text in the replies."""

    def __init__(self, database: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env=bot_env(database), bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def type(self, line: str, wait_for: str, timeout: float = 30) -> str:
        """Send a line; return what was printed up to the reply containing `wait_for`."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                seen.append(self.lines.get(timeout=0.1).replace("\u00a0", " ")
                            .replace("\u202f", " "))
            except queue.Empty:
                continue
            if wait_for in "".join(seen) and seen[-1] == "\n":  # a reply ends on a blank line
                return "".join(seen)
        raise AssertionError(f"{wait_for!r} never printed; got:\n{''.join(seen)}")

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=30)


def stored_state(database: Path) -> tuple[str, dict[str, object]]:
    with sqlite3.connect(database) as db:
        step, answers = db.execute(
            "SELECT step, answers FROM conversations WHERE chat_id = 0 AND user_id = 0"
        ).fetchone()
    return step, json.loads(answers)


def test_sigkill_mid_flow_then_restart_resumes_at_the_same_step(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    first = Terminal(database)
    try:
        first.type("/simulation", "Combien de postes")
        # in the terminal a bare number presses that button: type the unit too
        first.type("3 postes", "Où se trouve votre structure ?")
        first.type("2", "publique ou privée")  # [2] Guadeloupe, pressed by its number
        first.type("Publique (collectivité, établissement public…)", "Quelle convention")
        first.type("1", "À quelle date le contrat")
        first.type("12/03/2021", "Quelle est la durée du contrat")
    finally:
        code = first.kill()
    assert code == -signal.SIGKILL
    step, answers = stored_state(database)
    assert step == "duree"
    assert answers == {"postes": 3, "territoire": "guadeloupe", "structure": "public",
                       "convention": "ami_2020", "debut": "2021-03-12"}

    second = Terminal(database)
    try:
        resumed = second.type("/reprendre", "Quelle est la durée du contrat")
        assert "[1] 18 mois" in resumed
        second.type("24 mois", "Quel salaire brut mensuel")
        second.type("1", "cotisations patronales")  # [1] Utiliser : the SMIC
        recap = second.type("36,5 %", "Touchez « Modifier »")
    finally:
        second.kill()
    assert "Simulation pour 3 postes (Guadeloupe)" in recap
    # at the SMIC, 24 months cost 53 190,95 € (same months as in the métropole transcript at
    # 36,5 %): the 70 000 € are capped by the justified salary cost, the rest is to repay
    assert "Subvention de l'État : 53 190,95 € par poste" in recap
    assert "inférieur à la subvention prévue (70 000 €)" in recap
    for line in ("• Nombre de postes : 3 postes", "• Territoire : Guadeloupe",
                 "• Convention : Convention initiale (AMI 2020)",
                 "• Début du contrat : vendredi 12 mars 2021", "• Durée du contrat : 24 mois"):
        assert line in recap
    assert stored_state(database)[0] == "recapitulatif"
