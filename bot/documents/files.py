"""The documents as files for the engine: one call per recap button, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from bot.documents import (
    CHART_STEM,
    DELIBERATION_STEM,
    PDF_STEM,
    filename,
    is_public,
    simulation_from_answers,
)
from bot.documents.chart import simulation_chart
from bot.documents.deliberation import deliberation_docx
from bot.documents.pdf import simulation_pdf
from bot.programme.params import Parameters

DocumentKind = Literal["pdf", "chart", "deliberation"]
# Buttons of the simulation's recap: (kind, label); the deliberation only for public structures
BUTTONS: tuple[tuple[DocumentKind, str], ...] = (
    ("pdf", "📄 Télécharger la synthèse (PDF)"),
    ("chart", "📊 Graphique"),
    ("deliberation", "📝 Modèle de délibération"),
)
# Flow button codes for the recap (bot/core/callbacks.py FLOW_CODE; free in
# bot/dialogue/turns.py, which uses b, d, k, r, t, x, z and e/o/s followed by a number)
CODES: Mapping[str, DocumentKind] = {"p": "pdf", "g": "chart", "l": "deliberation"}
DOCUMENT_CODES: Mapping[DocumentKind, str] = {kind: code for code, kind in CODES.items()}
CAPTIONS: Mapping[DocumentKind, str] = {
    "pdf": "Synthèse de votre simulation, sur une page, avec ses sources.",
    "chart": "Par année de contrat : subvention de l'État, coût salarial et reste à votre "
             "charge.",
    "deliberation": "Modèle de délibération à adapter : faites-le relire par votre service "
                    "juridique ou votre centre de gestion.",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A generated file: its name, bytes, how to send it (photo or document), a caption."""

    filename: str
    data: bytes
    kind: Literal["document", "photo"]
    caption: str


def offered(answers: Mapping[str, Any]) -> tuple[tuple[DocumentKind, str], ...]:
    """The document buttons that fit these answers (no délibération for a private one)."""
    return tuple((kind, label) for kind, label in BUTTONS
                 if kind != "deliberation" or is_public(answers))


def render(kind: DocumentKind, params: Parameters, answers: Mapping[str, Any], *,
           today: dt.date, collectivite: str | None = None) -> Document:
    """One document for the simulation flow's answers (saved JSON or typed)."""
    if kind == "deliberation":
        data = deliberation_docx(answers, params, today=today, collectivite=collectivite)
        return Document(filename=filename(DELIBERATION_STEM, today, "docx"), data=data,
                        kind="document", caption=CAPTIONS[kind])
    result = simulation_from_answers(params, answers)
    if kind == "pdf":
        return Document(filename=filename(PDF_STEM, today, "pdf"),
                        data=simulation_pdf(result, params, today=today), kind="document",
                        caption=CAPTIONS[kind])
    if kind == "chart":
        return Document(filename=filename(CHART_STEM, today, "png"),
                        data=simulation_chart(result, params), kind="photo",
                        caption=CAPTIONS[kind])
    raise ValueError(f"unknown document {kind!r}")
