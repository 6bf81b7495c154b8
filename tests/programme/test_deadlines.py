"""Milestones → deadlines: dates computed by hand, texts, sources, superseded rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.programme import deadlines as dl
from bot.programme.dates import add_months
from bot.programme.deadlines import Milestone, deadlines_for
from bot.programme.params import Parameters

D = dt.date


def nb(text: str) -> str:
    """Non-breaking spaces as plain ones, to compare with readable literals."""
    return text.replace("\u00a0", " ")


def only(params: Parameters, kind: str, day: dt.date) -> dl.Deadline:
    found = deadlines_for(Milestone(kind=kind, date=day), params)
    assert len(found) == 1
    return found[0]


def test_candidate_presented_selection_in_15_days_form_said_one_month(params):
    deadline = only(params, "candidat_presente", D(2021, 3, 1))
    assert deadline.kind == "selection"
    assert deadline.date == D(2021, 3, 16)
    assert deadline.sentence.endswith("au plus tard le mardi 16 mars 2021")
    assert "15 jours" in nb(deadline.explanation)
    assert "1 mois" in nb(deadline.explanation)
    assert "jeudi 1er avril 2021" in nb(deadline.explanation)     # the form's one month
    assert "divergent" in nb(deadline.explanation)
    assert deadline.uncertain
    assert set(deadline.sources) == {"ami-2020", "formulaire-candidature"}
    assert "Formulaire de candidature" in deadline.citation


def test_candidate_selected_sign_within_15_days(params):
    deadline = only(params, "candidat_selectionne", D(2021, 3, 1))
    assert (deadline.kind, deadline.date) == ("signature", D(2021, 3, 16))
    assert deadline.sentence == ("la signature du contrat de travail doit intervenir au plus "
                                 "tard le mardi 16 mars 2021")
    assert deadline.explanation.startswith("Candidat sélectionné le lundi 1er mars 2021.")
    assert not deadline.uncertain
    assert deadline.parameter == "delai_signature_jours"


def test_contract_signed_training_within_15_days(params):
    deadline = only(params, "contrat_signe", D(2021, 3, 16))
    assert (deadline.kind, deadline.date) == ("depart_formation", D(2021, 3, 31))
    assert deadline.sources == ("anct-inscription-formation",)


def test_post_taken_end_of_subsidy_and_convention(params):
    found = deadlines_for(Milestone(kind="prise_de_poste", date=D(2021, 5, 3)), params)
    assert [(d.kind, d.date) for d in found] == [
        ("fin_subvention", D(2023, 5, 2)), ("fin_convention", D(2024, 5, 2))]
    assert "24 mois" in nb(found[0].explanation) and "18 mois" in nb(found[0].explanation)
    assert "36 mois" in nb(found[1].explanation)
    assert all("Date indicative" in d.explanation for d in found)
    assert all("cesserait" not in d.explanation for d in found)


def test_post_taken_late_warns_of_the_announced_end_of_funding(params):
    found = deadlines_for(Milestone(kind="prise_de_poste", date=D(2025, 6, 2)), params)
    assert [d.date for d in found] == [D(2027, 6, 1), D(2028, 6, 1)]
    for deadline in found:
        assert "à compter de 2027" in nb(deadline.explanation)
        assert "senat-plf2026-economie" in deadline.sources


def test_end_of_training_certification_within_6_months_clamped(params):
    deadline = only(params, "fin_formation", D(2021, 8, 31))
    assert (deadline.kind, deadline.date) == ("certification", D(2022, 2, 28))
    assert deadline.sources == ("faq-certifications",)


def test_departure_after_the_2025_rules_six_months(params):
    deadline = only(params, "depart_conseiller", D(2025, 5, 14))
    assert (deadline.kind, deadline.date) == ("remplacement", D(2025, 11, 14))
    assert deadline.parameter == "delai_remplacement_mois"
    assert "règles de gestion du mercredi 14 mai 2025" in nb(deadline.explanation)
    assert "6 mois" in nb(deadline.explanation)
    assert deadline.sources == ("faq-budget-2025",)


def test_departure_before_the_2025_rules_says_which_rule_applied(params):
    deadline = only(params, "depart_conseiller", D(2025, 5, 13))
    assert deadline.date == D(2025, 8, 13)
    assert deadline.parameter == "delai_remplacement_2023_mois"
    assert "Règle appliquée" in nb(deadline.explanation)
    assert "3 mois" in nb(deadline.explanation) and "6 mois" in nb(deadline.explanation)
    assert "source secondaire" in nb(deadline.explanation)
    assert "villes-de-france" in deadline.sources


def test_departure_end_of_november_clamps_to_february(params):
    assert only(params, "depart_conseiller", D(2024, 11, 30)).date == D(2025, 2, 28)


def test_deadlines_follow_the_parameters_not_the_code(params):
    changed = dict(params.by_id)
    changed["delai_signature_jours"] = dataclasses.replace(
        params["delai_signature_jours"], series=((None, 20),))
    other = Parameters(changed, params.territories, params.sources)
    deadline = only(other, "candidat_selectionne", D(2021, 3, 1))
    assert deadline.date == D(2021, 3, 21)
    assert "20 jours" in nb(deadline.explanation)


def test_rules_name_existing_parameters_of_the_right_units(params):
    assert set(dl.RULES) == set(dl.MILESTONES)
    for rules in dl.RULES.values():
        for rule in rules:
            for regime in rule.regimes:
                assert params[regime.param].unit in ("jours", "mois")
                if regime.since:
                    assert params[regime.since].unit == "date"
            assert rule.regimes[0].since is None
            if rule.alternative:
                assert params[rule.alternative].unit in ("jours", "mois")


def test_no_figure_in_the_texts_of_the_table():
    texts = [dl.INDICATIVE, dl.END_OF_FUNDING, dl.UNCERTAIN]
    for info in dl.MILESTONES.values():
        texts += [info.label, info.question, info.sentence]
    for rules in dl.RULES.values():
        for rule in rules:
            texts += [rule.label, rule.sentence] + [r.explain for r in rule.regimes]
    for text in texts:
        bare = re.sub(r"\{[^}]*\}", "", text).replace("CCP1", "CCP")
        assert not re.search(r"\d", bare), text


def test_unknown_milestone_kind_is_refused():
    with pytest.raises(ValueError):
        Milestone(kind="embauche", date=D(2021, 1, 1))  # type: ignore[arg-type]


def test_describe_is_html_safe(params):
    text = dl.describe(only(params, "candidat_selectionne", D(2021, 3, 1)))
    assert text.startswith("<b>La signature du contrat de travail")
    assert "<i>Source : AMI collectivités" in text


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2021, 1, 31), 1, D(2021, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2021, 3, 31), 6, D(2021, 9, 30)),
    (D(2021, 12, 15), 1, D(2022, 1, 15)),
    (D(2021, 5, 3), 24, D(2023, 5, 3)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2021, 3, 31), -1, D(2021, 2, 28)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)),
       st.integers(min_value=-240, max_value=240))
def test_add_months_properties(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    if result.day < day.day:       # clamped: it is the last day of its month
        assert (result + dt.timedelta(days=1)).day == 1
    assert add_months(result, -months) <= day
