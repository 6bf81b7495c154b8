"""The draft délibération, read back with python-docx: answers, banner, placeholders, sources."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from bot.core import formatting
from bot.documents import simulation_from_answers
from bot.documents.deliberation import BANNER, SOURCES, deliberation_docx, long_date
from bot.programme.params import Parameters
from tests.support.documents import answers, flat

TODAY = dt.date(2021, 3, 16)
# What a legal reference looks like: "article L. 332-24", "art. 3", "loi n° 84-53", "décret n°"
LEGAL_REFERENCE = re.compile(r"\b(?:article|art\.)\s+[LRD]?\.?\s*\d+-|\bart\.\s*\d|"
                             r"\b(?:loi|décret|ordonnance)\s+n°", re.IGNORECASE)


def read(data: bytes) -> tuple[object, str]:
    document = Document(io.BytesIO(data))
    return document, flat("\n".join(p.text for p in document.paragraphs))


def test_deliberation_is_filled_with_the_answers(params: Parameters) -> None:
    saved = answers(postes=3, debut="2021-03-01", duree=24, salaire=1650.0)
    _, text = read(deliberation_docx(saved, params, today=TODAY))
    assert "création de 3 emplois non permanents de conseiller numérique" in text
    assert "à compter du 1er mars 2021, soit jusqu'au 28 février 2023" in text
    assert "une durée de 24 mois" in text
    assert "salaire brut mensuel de 1 650 € pour un temps complet" in text
    assert "territoire : Métropole" in text
    assert "contrat de projet" in text


def test_deliberation_is_marked_as_a_model_to_adapt(params: Parameters) -> None:
    document, _ = read(deliberation_docx(answers(), params, today=TODAY))
    first = document.paragraphs[0]  # type: ignore[attr-defined]
    assert first.text == BANNER
    assert first.text.startswith("Modèle à adapter — à faire relire par votre service "
                                 "juridique ou votre centre de gestion")
    assert all(run.bold for run in first.runs)
    header = document.sections[0].header.paragraphs[0].text  # type: ignore[attr-defined]
    assert header.startswith("Modèle à adapter")
    assert document.core_properties.language == "fr-FR"  # type: ignore[attr-defined]


def test_placeholders_are_bracketed_and_highlighted(params: Parameters) -> None:
    document, text = read(deliberation_docx(answers(), params, today=TODAY))
    for placeholder in ("[nom de la collectivité]", "[date de la séance]", "[lieu]",
                        "[référence à compléter"):
        assert placeholder in text
    bracketed = [run for p in document.paragraphs  # type: ignore[attr-defined]
                 for run in p.runs if run.text.startswith("[")]
    assert len(bracketed) >= 10
    assert all(run.text.endswith("]") for run in bracketed)
    assert all(run.font.highlight_color == WD_COLOR_INDEX.YELLOW for run in bracketed)


def test_the_collectivite_name_replaces_its_placeholder(params: Parameters) -> None:
    _, text = read(deliberation_docx(answers(), params, today=TODAY,
                                     collectivite="Commune de Saint-Flour"))
    assert "Commune de Saint-Flour" in text
    assert "[nom de la collectivité]" not in text


def test_only_sourced_references_no_article_numbers(params: Parameters) -> None:
    _, text = read(deliberation_docx(answers(), params, today=TODAY))
    assert LEGAL_REFERENCE.search(text) is None, LEGAL_REFERENCE.search(text)
    # the contrat de projet's limits come from the parameters (service-public.fr F35145)
    low, high = params["contrat_projet_duree_min_mois"], params["contrat_projet_duree_max_mois"]
    assert f"d'au moins {flat(low.format())} et d'au plus {flat(high.format())}" in text
    for source_id in SOURCES:
        assert flat(params.sources[source_id].short) in text


def test_the_estimate_uses_the_rules(params: Parameters) -> None:
    result = simulation_from_answers(params, answers())
    _, text = read(deliberation_docx(answers(), params, today=TODAY))
    subsidy = flat(formatting.euros(result.total_subsidy))
    assert f"la subvention de l'État s'élèverait à {subsidy}" in text
    assert flat(formatting.euros(result.total_remaining)) in text
    assert f"estimation établie le {long_date(TODAY)}" in text


def test_a_contract_shorter_than_a_contrat_de_projet_is_flagged(params: Parameters) -> None:
    _, short = read(deliberation_docx(answers(duree=6), params, today=TODAY))
    _, usual = read(deliberation_docx(answers(duree=24), params, today=TODAY))
    assert "n'entre pas dans ces limites" in short
    assert "n'entre pas dans ces limites" not in usual


def test_typed_and_saved_answers_give_the_same_text(params: Parameters) -> None:
    typed = answers(debut=dt.date(2021, 3, 1), salaire=1554.58)
    assert read(deliberation_docx(typed, params, today=TODAY))[1] == \
        read(deliberation_docx(answers(), params, today=TODAY))[1]


def test_a_private_structure_gets_no_deliberation(params: Parameters) -> None:
    with pytest.raises(ValueError, match="public"):
        deliberation_docx(answers(structure="prive"), params, today=TODAY)


def test_long_date_is_written_out() -> None:
    assert long_date(dt.date(2021, 3, 1)) == "1er mars 2021"
    assert long_date(dt.date(2021, 3, 16)) == "16 mars 2021"
