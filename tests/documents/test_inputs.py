"""From the flow's saved answers to the rules' result, and the result year by year."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.documents import (
    contract_years,
    filename,
    is_public,
    simulation_from_answers,
    split_note,
    typed_answers,
    year_label,
)
from bot.programme.flowrules import simulation_input
from bot.programme.params import Parameters
from bot.programme.rules import simulate
from tests.support.documents import LARGEST, answers


def test_saved_answers_become_the_rules_input(params: Parameters) -> None:
    typed = typed_answers(answers(postes="2", salaire=1554, taux_patronal=36))
    assert typed["debut"] == dt.date(2021, 3, 1)
    assert typed["postes"] == 2 and isinstance(typed["salaire"], float)
    assert typed_answers(typed) == typed  # typed values pass through
    assert simulation_from_answers(params, answers()) == \
        simulate(params, simulation_input(params, typed_answers(answers())))


def test_other_overseas_territory_goes_through_its_second_question(params: Parameters) -> None:
    result = simulation_from_answers(params, answers(
        territoire="autre", territoire_autre="saint_pierre_et_miquelon"))
    assert result.input.territory.name == "Saint-Pierre-et-Miquelon"


@pytest.mark.parametrize("months", [6, 12, 18, 24, 30, 36])
@pytest.mark.parametrize("convention", ["ami_2020", "renouvellement_2023"])
def test_years_add_up_to_the_totals(params: Parameters, months: int, convention: str) -> None:
    result = simulation_from_answers(params, answers(duree=months, convention=convention))
    years = contract_years(result)
    assert len(years) == -(-months // 12)
    assert sum(y.months for y in years) == months
    assert years[0].start == result.input.start and years[-1].end == result.months[-1].end
    assert sum(y.cost for y in years) == pytest.approx(result.cost)
    expected = result.subsidy if convention == "ami_2020" else result.granted
    assert sum(y.subsidy for y in years) == pytest.approx(expected)


def test_renewal_years_are_the_rules_payments(params: Parameters) -> None:
    result = simulation_from_answers(params, LARGEST)
    years = contract_years(result)
    assert [y.subsidy for y in years] == [p.amount + p.bonus for p in result.payments]
    assert years[0].subsidy == params.value("v2_public_annee1") + \
        params.value("v2_bonus_qpv_zrr_annee1")
    assert year_label(years[0]) == "Année 1 (sept. 2023 – août 2024)"
    assert "déduction à confirmer" in split_note(params, result)


def test_initial_convention_split_is_said_to_be_assumed(params: Parameters) -> None:
    result = simulation_from_answers(params, answers())
    assert result.payments == ()
    assert "supposée au prorata des mois" in split_note(params, result)


def test_file_names_and_structure() -> None:
    assert filename("simulation-conseiller-numerique", dt.date(2021, 3, 16), "pdf") == \
        "simulation-conseiller-numerique-2021-03-16.pdf"
    assert is_public(answers()) and not is_public(answers(structure="prive"))


def test_payments_beyond_the_justified_cost_are_said_to_be_repaid(params: Parameters) -> None:
    """Mayotte's known SMIC with no employer charges costs less than the renewal pays."""
    result = simulation_from_answers(params, answers(
        territoire="mayotte", convention="renouvellement_2023", qpv_zrr="oui",
        debut="2023-01-01", duree=36, salaire=1199.71, taux_patronal=0))
    assert result.to_repay > 0
    assert "seraient à reverser" in split_note(params, result)
    assert sum(y.remaining for y in contract_years(result)) == \
        pytest.approx(-result.to_repay)
