"""`python -m bot check`: each kind of broken knowledge file is reported as file:line: reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import check
from bot.core.config import ROOT
from tests.support.chat import KNOWLEDGE

GOOD_ENTRY = """\
- id: entree-de-test
  question: Question de test ?
  reponse: Réponse de test.
  source: [ami-2020]
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A writable copy of the real knowledge directory."""
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, copy)
    return copy


def run_check(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = check(knowledge, ROOT / "flows")
    return code, capsys.readouterr().out.splitlines()


def add_faq_file(knowledge: Path, text: str) -> str:
    path = knowledge / "faq" / "zz-test.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_real_content_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_check(KNOWLEDGE, capsys)
    assert code == 0
    assert lines[-1].startswith("Contenu valide")


def test_bad_indentation(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = add_faq_file(knowledge, GOOD_ENTRY + "  - id: mal-indentee\n question: ?\n")
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert any(line.startswith(f"{name}:") and "indentation" in line for line in lines), lines


def test_duplicate_id(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = add_faq_file(knowledge, GOOD_ENTRY + GOOD_ENTRY)
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert f"{name}:5: identifiant « entree-de-test » en double (déjà utilisé dans {name}:1)" \
        in lines


def test_missing_answer(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = add_faq_file(knowledge, GOOD_ENTRY.replace("  reponse: Réponse de test.\n", ""))
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert f"{name}:1: entrée « entree-de-test » : réponse manquante" in lines


def test_unknown_placeholder(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = add_faq_file(knowledge, GOOD_ENTRY.replace("Réponse de test.",
                                                      "L'État verse {montant_imaginaire}."))
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert any(line.startswith(f"{name}:3:") and "paramètre inconnu « {montant_imaginaire} »"
               in line for line in lines), lines


def test_unknown_related_id(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = add_faq_file(knowledge, GOOD_ENTRY + "  voir_aussi: [entree-fantome]\n")
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert f"{name}:5: entrée « entree-de-test » : « voir_aussi » cite « entree-fantome », " \
           "qui n'existe pas" in lines


def test_figure_without_source(knowledge: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = knowledge / "parametres.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "parametres:\n"
    assert marker in text
    head, tail = text.split(marker, 1)
    line = head.count("\n") + 2
    path.write_text(head + marker + "  chiffre_orphelin:\n    libelle: Un chiffre\n"
                    "    valeur: 1234\n    unite: euros\n" + tail, encoding="utf-8")
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert any(entry.startswith(f"{path}:{line}:") and "chiffre sans source" in entry
               for entry in lines), lines


def test_uncertain_parameter_needs_uncertain_entry(knowledge: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    name = add_faq_file(knowledge, GOOD_ENTRY.replace("Réponse de test.",
                                                      "Taux {taux_patronal_defaut}."))
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert any(line.startswith(f"{name}:3:") and "INCERTAIN" in line for line in lines), lines


def test_start_up_refuses_broken_content(knowledge: Path, tmp_path: Path) -> None:
    add_faq_file(knowledge, GOOD_ENTRY + GOOD_ENTRY)
    env = {**os.environ, "BOT_KNOWLEDGE_DIR": str(knowledge),
           "BOT_DATABASE": str(tmp_path / "db.sqlite3")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    result = subprocess.run([sys.executable, "-m", "bot", "chat"], input="/start\n",
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=60,
                            check=False)
    assert result.returncode == 1
    assert "zz-test.yaml:5: identifiant « entree-de-test » en double" in result.stderr
    assert result.stdout == ""


def test_user_facing_text_never_names_our_files(knowledge: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Users see sources, never the project's own files (a note, a source title…)."""
    path = knowledge / "parametres.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "    note: La FAQ officielle dit 40 000 € ; voir subvention_prive_v1.\n"
    assert marker in text
    line = text[:text.index(marker)].count("\n") + 1
    path.write_text(text.replace(marker, "    note: Chiffre relevé dans facts.md.\n"),
                    encoding="utf-8")
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert any(entry.startswith(f"{path}:{line}:") and "facts.md" in entry
               for entry in lines), lines


def test_no_note_or_source_title_shows_an_internal_file(content) -> None:
    params = content.params
    shown = [p.note or "" for p in params.by_id.values()] + \
        [p.label for p in params.by_id.values()] + \
        [f"{s.short} {s.title}" for s in params.sources.values()]
    assert not [text for text in shown if "facts.md" in text]


@pytest.mark.parametrize(("answer", "reason"), [
    ("L'État verse {subvention_public_metropole} par poste.", "période"),
    ("Selon l'AMI, une commune peut candidater.", "aujourd'hui"),
])
def test_undated_amount_or_applying_entry(knowledge: Path, capsys: pytest.CaptureFixture[str],
                                          answer: str, reason: str) -> None:
    name = add_faq_file(knowledge, GOOD_ENTRY.replace("Réponse de test.", answer))
    code, lines = run_check(knowledge, capsys)
    assert code == 1
    assert any(line.startswith(f"{name}:3:") and reason in line for line in lines), lines


def test_dated_amount_entry_is_accepted(knowledge: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    add_faq_file(knowledge, GOOD_ENTRY.replace(
        "Réponse de test.", "Convention initiale de l'AMI, {subvention_public_metropole} par "
        "poste. Depuis le {date_regles_2025}, plus de nouvelle convention."))
    code, lines = run_check(knowledge, capsys)
    assert code == 0, lines
