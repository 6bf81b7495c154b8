"""Inputs of the document tests: answers as the simulation flow saves them, text tools."""

from __future__ import annotations

import re
from typing import Any

SPACES = re.compile(r"\s+")


def answers(**changes: Any) -> dict[str, Any]:
    """Answers of the simulation flow, as saved (JSON: the date as an ISO string)."""
    saved: dict[str, Any] = {
        "postes": 2, "territoire": "metropole", "structure": "public", "convention": "ami_2020",
        "debut": "2021-03-01", "duree": 24, "salaire": 1554.58, "taux_patronal": 36.5}
    saved.update(changes)
    return saved


# The largest realistic simulation: 10 posts, 36 months, overseas, renewal with the bonus.
LARGEST = answers(postes=10, territoire="reunion", convention="renouvellement_2023",
                  qpv_zrr="oui", debut="2023-09-01", duree=36, salaire=1747.20)


def flat(text: str) -> str:
    """Text with every run of spaces (no-break ones and line breaks too) as one space."""
    return SPACES.sub(" ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()
