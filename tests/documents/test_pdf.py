"""The PDF summary, read back with pypdf: one page, the figures, the date, the sources."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from pypdf import PdfReader

from bot.core import formatting
from bot.documents import ASSISTANT_NAME, contract_years, simulation_from_answers, typed_answers
from bot.documents.pdf import cited, simulation_pdf, winansi
from bot.programme.flowrules import REGISTRY, RuleEnv
from bot.programme.params import Parameters
from tests.support.documents import LARGEST, answers, flat

TODAY = dt.date(2021, 3, 16)


def read(data: bytes) -> tuple[int, str]:
    """Number of pages and the text of the PDF, spaces flattened."""
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), flat(" ".join(page.extract_text() for page in reader.pages))


def test_pdf_shows_the_figures_of_the_rules_and_the_date(params: Parameters) -> None:
    result = simulation_from_answers(params, answers())
    pages, text = read(simulation_pdf(result, params, today=TODAY))
    assert pages == 1
    assert "Simulation établie le mardi 16 mars 2021" in text
    # the same totals as the bot's own simulation message (rule "simulation" of the flow)
    shown = REGISTRY["simulation"].run(RuleEnv(params=params, today=TODAY),
                                       typed_answers(answers()))
    for key in ("subvention_totale", "cout_total", "reste_total", "subvention_poste",
                "cout_poste", "reste_poste"):
        assert flat(formatting.euros(shown[key])) in text, key
    assert flat(formatting.euros(result.total_subsidy)) == "100 000 €"  # 2 × 50 000 €
    assert "Total (2 postes)" in text
    assert "1 554,58 € par mois, temps complet" in text  # the answered salary
    assert "du lundi 1er mars 2021 au mardi 28 février 2023 (24 mois)" in text


def test_pdf_names_every_parameter_with_its_sources(params: Parameters) -> None:
    result = simulation_from_answers(params, answers())
    _, text = read(simulation_pdf(result, params, today=TODAY))
    for param_id in cited(params, result):
        param = params[param_id]
        assert flat(winansi(param.label))[:40] in text, param_id
        for source in param.sources:
            assert flat(params.sources[source].short) in text, source
    # the State also pays training and certification; travel and equipment stay with you
    assert flat(params["cout_formation_moyen"].format()) in text
    assert flat(params["cout_certification"].format()) in text
    assert "déplacements" in text and "équipement" in text


def test_pdf_lists_the_uncertain_points_and_says_it_is_an_estimate(params: Parameters) -> None:
    result = simulation_from_answers(params, answers(territoire="guadeloupe"))
    _, text = read(simulation_pdf(result, params, today=TODAY))
    assert "Points incertains" in text
    subsidy = params["subvention_public_antilles_guyane"]
    assert subsidy.uncertain and flat(winansi(subsidy.label))[:40] in text
    assert flat(formatting.euros(subsidy.value)) + " (à confirmer)" in text
    assert "supposée au prorata des mois de contrat" in text  # the 2020 split is unknown
    assert "pas une décision de l'État" in text and ASSISTANT_NAME in text


def test_largest_realistic_simulation_fits_one_page(params: Parameters) -> None:
    result = simulation_from_answers(params, LARGEST)
    assert result.input.posts == 10 and result.input.months == 36
    assert result.input.territory.overseas and result.payments[0].bonus > 0
    pages, text = read(simulation_pdf(result, params, today=TODAY))
    assert pages == 1
    assert "Total (10 postes)" in text
    assert flat(formatting.euros(result.total_subsidy)) in text
    for year in contract_years(result):  # the yearly table, in total for the 10 posts
        assert flat(formatting.euros(year.subsidy * 10)) in text
    assert "bonification QPV/ZRR" in text


def where(territory: str) -> dict[str, str]:
    """The flow's answers for a territory (the smaller overseas ones come under « autre »)."""
    if territory in ("metropole", "guadeloupe", "martinique", "guyane", "reunion", "mayotte"):
        return {"territoire": territory}
    return {"territoire": "autre", "territoire_autre": territory}


CASES = [
    {"convention": "ami_2020"},
    {"convention": "ami_2020", "structure": "prive"},
    {"convention": "renouvellement_2023", "qpv_zrr": "oui"},
    {"convention": "renouvellement_2023", "structure": "prive"},
]


@pytest.mark.parametrize(("territory", "case"),
                         list(itertools.product(["metropole", "guadeloupe", "reunion", "mayotte",
                                                 "wallis_et_futuna"], CASES)))
def test_every_territory_and_convention_fits_one_page(params: Parameters, territory: str,
                                                      case: dict[str, str]) -> None:
    """10 posts over 36 months from January 2021: the most SMIC raises, the most lines."""
    start = dt.date(2021, 1, 1)
    smic = params.value(params.territories[territory].smic_param, start)
    result = simulation_from_answers(params, answers(
        postes=10, duree=36, debut=start.isoformat(), salaire=smic, **where(territory), **case))
    pages, _ = read(simulation_pdf(result, params, today=TODAY))
    assert pages == 1


def test_pdf_is_deterministic(params: Parameters) -> None:
    """Same simulation, same bytes: no creation time or random id in the file."""
    result = simulation_from_answers(params, answers())
    assert simulation_pdf(result, params, today=TODAY) == \
        simulation_pdf(result, params, today=TODAY)


def test_pdf_metadata_is_french_and_names_the_assistant(params: Parameters) -> None:
    result = simulation_from_answers(params, answers())
    reader = PdfReader(io.BytesIO(simulation_pdf(result, params, today=TODAY)))
    assert reader.metadata is not None
    assert reader.metadata.author == ASSISTANT_NAME
    assert "Simulation" in (reader.metadata.title or "")
    assert reader.trailer["/Root"].get("/Lang") == "fr-FR"


def test_winansi_keeps_accents_and_euro_and_drops_what_helvetica_cannot_draw() -> None:
    assert winansi("⚠ 140\u202f000\u00a0€ élevé « oui »") == " 140\u00a0000\u00a0€ élevé « oui »"
    assert winansi("• année 1") == "– année 1"
