"""`python -m bot check --flows DIR`: each class of flow error is reported as file:line: reason."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import check
from bot.core.config import ROOT
from bot.core.yamlsource import InvalidContent
from bot.dialogue.loader import load_flows
from bot.programme.flowrules import REGISTRY
from tests.support.chat import KNOWLEDGE
from tests.support.flows import VALID, assert_refused, assert_reported, line_of, problems, write


def test_the_valid_example_and_the_real_flows_pass(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert check(KNOWLEDGE, write(tmp_path, VALID)) == 0
    assert check(KNOWLEDGE, ROOT / "flows") == 0
    assert "Contenu valide" in capsys.readouterr().out


def test_unknown_target_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("    min: 1\n    suite: fin", "    min: 1\n    suite: nulle_part")
    assert_refused(tmp_path, capsys, text, "suite: nulle_part", "cible « nulle_part » inconnue")


def test_unreachable_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID + """\
  - id: oubliee
    type: message
    texte: Personne ne passe ici.
    suite: fin
"""
    assert_refused(tmp_path, capsys, text, "id: oubliee", "« oubliee » inaccessible")


def test_loop_without_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("    min: 1\n    suite: fin", "    min: 1\n    suite: c") + """\
  - id: c
    type: message
    texte: Encore.
    suite: b
"""
    assert_refused(tmp_path, capsys, text, "suite: c", "boucle sans sortie b → c → b")


def test_loop_with_an_exit_is_refused_too(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("    min: 1\n    suite: fin", """\
    min: 1
    suite:
      - si: {b: {plus_de: 3}}
        aller: a
      - aller: fin""")
    assert_refused(tmp_path, capsys, text, "suite:", "boucle a → b → a", "Retour")


def test_unknown_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("      - aller: fin\n", "      - aller: calcul\n", 1) + """\
  - id: calcul
    type: calcul
    regle: devinette
    suite: fin
"""
    assert_refused(tmp_path, capsys, text, "regle: devinette",
                   "règle inconnue « devinette »", "simulation")


def test_unknown_placeholder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace('texte: "Réponse {a}."', 'texte: "Réponse {a}, {inconnu}."')
    assert_refused(tmp_path, capsys, text, "{inconnu}", "« {inconnu} » inconnu")


def test_placeholder_not_yet_known_on_every_path(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace('texte: "Réponse {a}."', 'texte: "Réponse {b}."')
    assert_refused(tmp_path, capsys, text, "Réponse {b}", "« b » peut ne pas être encore connu")


def test_unknown_parameter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("question: Combien ?", "question: Combien sur {parametres.rien} ?")
    assert_refused(tmp_path, capsys, text, "parametres.rien", "paramètre inconnu")


def test_duplicate_step_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID + """\
  - id: b
    type: message
    texte: Doublon.
    suite: fin
"""
    assert_refused(tmp_path, capsys, text, "- id: b", "étape « b » en double", occurrence=2)


def test_duplicate_flow_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, VALID)
    folder = write(tmp_path, VALID, "zz-copie.yaml")
    assert_reported(problems(folder, capsys), f"{folder / 'zz-copie.yaml'}:1",
                    "questionnaire « essai » en double")


def test_choice_without_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("      - {valeur: non, libelle: Non}\n",
                         "      - {valeur: non, libelle: Non}\n      - {valeur: peut_etre}\n")
    assert_refused(tmp_path, capsys, text, "valeur: peut_etre",
                   "le choix « peut_etre » n'a pas de « libelle »")


def test_condition_on_a_choice_that_does_not_exist(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    text = VALID.replace("si: {a: oui}", "si: {a: ouii}")
    assert_refused(tmp_path, capsys, text, "suite:", "« ouii » n'est pas un choix de « a »")


def test_the_bot_refuses_to_start_and_the_cli_prints_file_line(tmp_path: Path) -> None:
    text = VALID.replace("    min: 1\n    suite: fin", "    min: 1\n    suite: nulle_part")
    folder = write(tmp_path, text)
    env = {**os.environ, "BOT_DATABASE": str(tmp_path / "bot.sqlite3"),
           "BOT_FLOWS_DIR": str(folder)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    where = f"{folder / 'essai.yaml'}:{line_of(text, 'suite: nulle_part')}: "
    checked = subprocess.run([sys.executable, "-m", "bot", "check", "--flows", str(folder)],
                             capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
                             check=False)
    assert checked.returncode == 1
    assert where in checked.stdout
    started = subprocess.run([sys.executable, "-m", "bot", "chat"], input="/simulation\n",
                             capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
                             check=False)
    assert started.returncode == 1
    assert "l'assistant ne démarre pas" in started.stderr
    assert where in started.stderr


def test_a_rejection_resting_on_an_uncertain_parameter_is_refused(tmp_path, content) -> None:
    """A `non éligible` drawn from an answer asked with an INCERTAIN parameter: file:line."""
    text = (ROOT / "flows" / "eligibilite.yaml").read_text(encoding="utf-8")
    marker = "      - si: {statut: non_eligible}\n"
    assert marker in text
    added = ("      - si: {selection: non}\n"
             "        texte: \"❌ Sans sélection sous {parametres.delai_selection_jours}, "
             "vous n'êtes pas éligible.\"\n")
    folder = tmp_path / "flows"
    folder.mkdir()
    path = folder / "eligibilite.yaml"
    path.write_text(text.replace(marker, added + marker), encoding="utf-8")
    line = text[:text.index(marker)].count("\n") + 1
    with pytest.raises(InvalidContent) as caught:
        load_flows(folder, content.params)
    messages = [f"{e.line}: {e.message}" for e in caught.value.errors]
    assert any(m.startswith(f"{line}:") and "INCERTAIN" in m for m in messages), messages


def test_a_rule_that_rejects_on_an_unguarded_uncertain_answer_is_refused(content) -> None:
    rules = dict(REGISTRY)
    rules["eligibilite"] = dataclasses.replace(REGISTRY["eligibilite"], guards={})
    with pytest.raises(InvalidContent) as caught:
        load_flows(ROOT / "flows", content.params, rules=rules)
    regle = next(i for i, line in enumerate(
        (ROOT / "flows" / "eligibilite.yaml").read_text(encoding="utf-8").splitlines(), 1)
        if line.strip() == "regle: eligibilite")
    assert any(e.line == regle and "delai_selection_jours" in e.message
               for e in caught.value.errors), caught.value.errors


@pytest.mark.parametrize(("flow_id", "owner"), [("oubli", "confidentialité"),
                                                ("stats", "administration"),
                                                ("aide", "assistant"),
                                                ("annuler", "questionnaires")])
def test_a_flow_id_that_is_already_a_command_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], flow_id: str, owner: str) -> None:
    """/oubli would run the privacy prompt, /stats would be hidden from administrators."""
    assert_refused(tmp_path, capsys, VALID.replace("id: essai", f"id: {flow_id}"),
                   f"id: {flow_id}", f"/{flow_id} est déjà une commande ({owner})")


def test_the_reminders_flow_keeps_its_name(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """/rappels starts flows/rappels.yaml itself: that flow id is not a collision."""
    assert check(KNOWLEDGE, write(tmp_path, VALID)) == 0
    assert (tmp_path / "flows" / "rappels.yaml").exists()
