"""Both flows end to end in `python -m bot chat`, driven from stdin, buttons typed by label."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.core.config import ROOT
from tests.support.processes import bot_env

ELIGIBILITY = """\
/eligibilite
Commune
bof
Oui
Retour
Oui
Oui
Oui
Oui
Non
Modifier « Rémunération au SMIC à temps plein »
Oui
Terminer
"""
SIMULATION = """\
/simulation
2 postes
Mayotte
Privée (association, ESS…)
Convention initiale (AMI 2020)
01/01/2022
trois ans
18 mois
Retour
18 mois
Utiliser : 1 199,71 €
36,5 %
Modifier « Territoire »
La Réunion
Utiliser : 1 603,12 €
Terminer
/simulation
1 poste
Annuler
"""


def chat(tmp_path: Path, script: str) -> str:
    result = subprocess.run([sys.executable, "-m", "bot", "chat"], input=script, text=True,
                            capture_output=True, env=bot_env(tmp_path / "bot.sqlite3"),
                            cwd=ROOT, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.replace("\u00a0", " ").replace("\u202f", " ")


def reply_to(out: str, line: str) -> str:
    """What the assistant printed after the (last) input `line`."""
    return out.rpartition(f"» {line}\n")[2].split("\n» ", 1)[0]


def test_eligibility_in_the_terminal(tmp_path: Path) -> None:
    out = chat(tmp_path, ELIGIBILITY)
    assert "⚠ Choisissez une réponse avec les boutons" in reply_to(out, "bof")
    assert "Votre réponse précédente : Oui" in reply_to(out, "Retour")
    refused = out.split("» Non\n", 1)[1]
    assert "❌ Votre structure n'est pas éligible" in refused
    assert "Le conseiller exerce obligatoirement à temps plein" in refused
    assert "Engagement 5 sur 5" in reply_to(out, "Modifier « Rémunération au SMIC à temps "
                                                 "plein »")
    final = reply_to(out, "Oui")
    assert "✅ Votre structure est éligible" in final
    assert "• Rémunération au SMIC à temps plein : Oui" in final
    assert "C'est terminé" in reply_to(out, "Terminer")


def test_simulation_in_the_terminal(tmp_path: Path) -> None:
    out = chat(tmp_path, SIMULATION)
    assert "⚠ Indiquez un nombre entier entre 1 et 36" in reply_to(out, "trois ans")
    assert "Votre réponse précédente : 18 mois" in reply_to(out, "Retour")
    assert "Simulation pour 2 postes (Mayotte)" in reply_to(out, "36,5 %")
    # the Mayotte SMIC is below the SMIC of La Réunion: the salary is asked again
    again = reply_to(out, "La Réunion")
    assert "Votre réponse précédente ne convient plus : 1 199,71 €, c'est trop peu" in again
    assert "le minimum est 1 603,12 €" in again
    reunion = reply_to(out, "Utiliser : 1 603,12 €")
    assert "Simulation pour 2 postes (La Réunion)" in reunion
    assert "• Territoire : La Réunion" in reunion
    assert "C'est terminé" in reply_to(out, "Terminer")
    assert "C'est annulé : « Simuler le financement » est abandonné." in reply_to(out, "Annuler")
