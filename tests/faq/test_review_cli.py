"""The operator's review loop, run as real processes: list, attach to an entry, ignore."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bot.core.config import ROOT
from bot.faq.entries import load_faq
from bot.programme.params import load_parameters
from tests.support.chat import KNOWLEDGE


def run_bot(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOT_DATABASE": str(tmp_path / "bot.sqlite3"),
           "BOT_KNOWLEDGE_DIR": str(tmp_path / "knowledge")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=env, cwd=ROOT, timeout=60, check=False)


def group_number(output: str, question: str) -> int:
    match = re.search(rf"^#(\d+)\s+\d+ × {re.escape(question)}$", output, re.MULTILINE)
    assert match, output
    return int(match.group(1))


def test_attach_adds_phrasings_and_ignore_sets_aside(tmp_path: Path) -> None:
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    questions = ["les conges du conseiller numerique combien de jours",
                 "combien de jours de conges pour le conseiller numerique",
                 "recette de la tarte aux pommes"]
    assert run_bot(tmp_path, "chat", stdin="\n".join(questions) + "\n").returncode == 0

    listing = run_bot(tmp_path, "unanswered").stdout
    leave = group_number(listing, questions[0])
    pie = group_number(listing, questions[2])
    assert "aussi : combien de jours de conges pour le conseiller numerique" in listing

    result = run_bot(tmp_path, "unanswered", "attach", str(leave), "recrutement-salaire")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 formulation(s) ajoutée(s) à « recrutement-salaire »" in result.stdout
    knowledge = tmp_path / "knowledge"
    entry = load_faq(knowledge / "faq", load_parameters(knowledge))["recrutement-salaire"]
    assert set(questions[:2]) <= set(entry.variants)

    assert run_bot(tmp_path, "unanswered", "ignore", str(pie)).returncode == 0
    assert "Aucune question sans réponse à examiner." in run_bot(tmp_path, "unanswered").stdout


def test_unknown_group_or_entry_is_refused(tmp_path: Path) -> None:
    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    assert run_bot(tmp_path, "chat", stdin="recette de la tarte aux pommes\n").returncode == 0
    key = group_number(run_bot(tmp_path, "unanswered").stdout, "recette de la tarte aux pommes")
    result = run_bot(tmp_path, "unanswered", "attach", str(key), "entree-fantome")
    assert result.returncode == 1
    assert "Entrée « entree-fantome » introuvable" in result.stdout
    assert run_bot(tmp_path, "unanswered", "ignore", "999999").returncode == 1
