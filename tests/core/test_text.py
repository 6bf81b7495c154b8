"""Normalisation of French user text."""

import pytest

from bot.core.text import normalize, strip_accents


@pytest.mark.parametrize(("raw", "expected"), [
    ("Éligibilité de la Réunion ?", "eligibilite de la reunion"),
    ("L’État verse-t-il 50 000 € ?", "l etat verse t il 50000 €"),
    ("cb pr deux postes ds les DOM", "combien pour 2 postes dans les outre mer"),
    ("c koi le CCP1", "c est quoi le ccp 1"),
    ("vingt-quatre mois", "24 mois"),
    ("trois postes en Guadeloupe!!!", "3 postes en guadeloupe"),
    ("50k", "50000"),
    ("  \t\n ", ""),
    ("<b>gras</b>", "b gras b"),
    ("œuvre", "oeuvre"),
])
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_strip_accents_keeps_letters() -> None:
    assert strip_accents("àâäéèêëîïôöùûüç") == "aaaeeeeiioouuuc"
