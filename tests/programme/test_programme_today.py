"""The programme as it stands today: dated simulations, no rejection resting on an uncertain
parameter, deadlines counted from the right start (issue 11)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.content.loader import Content
from bot.core import formatting
from bot.programme.deadlines import Milestone, deadlines_for
from bot.programme.flowrules import REGISTRY, RuleEnv, payments_html, period_html, warnings_html
from bot.programme.params import Parameters
from bot.programme.reminder_policy import plan, policy_for
from bot.programme.rules import simulate
from bot.reminders import ics
from tests.support.flows import simulation

D = dt.date
TODAY = D(2026, 12, 4)


@pytest.fixture(scope="module")
def params(content: Content) -> Parameters:
    return content.params


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


# --- 1. a simulation after the 2025 rules, payments after the announced end ---------------

def test_a_start_after_the_2025_rules_carries_what_the_sources_say(params: Parameters) -> None:
    result = simulate(params, simulation(params, start=D(2025, 9, 1)))
    text = plain(period_html(params, result))
    closed = plain(params["date_regles_2025"].format())
    assert f"Depuis le {closed}, aucun nouveau poste n'est attribué et aucune nouvelle " \
           "convention n'est signée" in text
    assert "sans nouvelle convention" in text  # a replacement within a convention


def test_a_start_before_the_2025_rules_has_no_such_warning(params: Parameters) -> None:
    result = simulate(params, simulation(params, start=D(2021, 5, 1)))
    assert period_html(params, result) == ""


def test_a_renewal_year_after_the_announced_end_says_so(params: Parameters) -> None:
    end_year = int(params.value("annee_fin_financement"))
    result = simulate(params, simulation(params, convention="renouvellement_2023",
                                         start=D(end_year - 3, 9, 1), months=36))
    assert [p.after_funding_end for p in result.payments] == [False, False, True]
    lines = plain(payments_html(params, result)).splitlines()
    third = next(line for line in lines if line.startswith("• année 3"))
    assert f"fin annoncée du financement de l'État à compter de {end_year}" in third
    assert "fin annoncée" not in next(line for line in lines if line.startswith("• année 2"))
    assert f"« l'État cessera de financer ce dispositif à compter de {end_year} »" in \
        plain(period_html(params, result))


def test_the_simulation_rule_puts_the_warning_first(params: Parameters) -> None:
    answers = {"postes": 1, "territoire": "metropole", "structure": "public",
               "convention": "ami_2020", "debut": D(2026, 1, 5), "duree": 24,
               "salaire": 1900.0, "taux_patronal": 36.5}
    out = REGISTRY["simulation"].run(RuleEnv(params=params, today=TODAY), answers)
    assert formatting.date(params.value("date_regles_2025")) in out["avertissement"]


# --- 3. no rejection resting on an uncertain parameter alone ---------------------------------

def test_refusing_only_the_uncertain_selection_delay_is_to_be_checked(params: Parameters) -> None:
    assert params["delai_selection_jours"].uncertain
    out = REGISTRY["eligibilite"].run(RuleEnv(params=params, today=TODAY), {
        "structure": "commune", "selection": "non", "signature": "oui", "formation": "oui",
        "equipement": "oui", "smic": "oui"})
    assert out["statut"] == "a_verifier"


def test_a_certain_refusal_still_makes_the_structure_ineligible(params: Parameters) -> None:
    out = REGISTRY["eligibilite"].run(RuleEnv(params=params, today=TODAY), {
        "structure": "commune", "selection": "non", "signature": "non"})
    assert out["statut"] == "non_eligible"


async def test_the_eligibility_flow_says_to_be_checked_and_why(chat) -> None:
    await chat.say("/eligibilite")
    await chat.press("Commune")
    for answer in ("Non", "Oui", "Oui", "Oui", "Oui"):
        await chat.press(answer)
    text = plain(chat.text)
    assert "n'est pas éligible" not in text
    assert "À vérifier" in text
    assert "dans un délai maximum de 1 mois" in text or "délai maximum de 1 mois" in text


# --- 4. the 3-month replacement délai is only known for the 2023 renewal -------------------

def test_replacement_before_2025_says_the_delay_is_known_only_for_the_renewal(
        params: Parameters) -> None:
    deadline, = deadlines_for(Milestone(kind="depart_conseiller", date=D(2022, 3, 1)), params)
    assert deadline.uncertain
    text = plain(deadline.explanation)
    assert "Aucune source ne donne de délai de remplacement pour la convention initiale" in text
    assert "retenez la date la plus proche" in text


def test_replacement_under_the_2025_rules_stays_certain(params: Parameters) -> None:
    deadline, = deadlines_for(Milestone(kind="depart_conseiller", date=D(2025, 6, 2)), params)
    assert not deadline.uncertain


# --- 5. no wage data in the Pacific; Wallis-et-Futuna is in no source ---------------------

@pytest.mark.parametrize("territory", ["wallis_et_futuna", "polynesie_francaise",
                                       "nouvelle_caledonie"])
def test_pacific_results_say_the_national_smic_is_a_default(params: Parameters,
                                                            territory: str) -> None:
    place = params.territories[territory]
    result = simulate(params, simulation(params, territory=place))
    text = plain(warnings_html(params, result))
    assert "Aucune source ne donne de salaire minimum ni de cotisations pour ce territoire " \
           f"({place.name})" in text


@pytest.mark.parametrize("territory", ["metropole", "saint_pierre_et_miquelon", "mayotte"])
def test_other_territories_have_no_such_warning(params: Parameters, territory: str) -> None:
    result = simulate(params, simulation(params, territory=params.territories[territory]))
    assert "Aucune source ne donne de salaire minimum" not in warnings_html(params, result)


def test_wallis_et_futuna_amount_is_marked_as_not_in_the_sources(params: Parameters) -> None:
    subsidy = params.subsidy(params.territories["wallis_et_futuna"])
    assert subsidy.uncertain
    assert "Wallis-et-Futuna" not in params["subvention_public_autres_outre_mer"].label
    result = simulate(params, simulation(params, territory=params.territories["wallis_et_futuna"]))
    assert "Aucune source ne cite Wallis-et-Futuna" in plain(warnings_html(params, result))


# --- 7. the subsidised period runs from the contract start and ends the day before ---------

def test_the_subsidised_period_ends_the_day_before_the_same_date(params: Parameters) -> None:
    found = {d.kind: d for d in deadlines_for(
        Milestone(kind="debut_contrat", date=D(2021, 4, 1)), params)}
    assert found["fin_subvention"].date == D(2023, 3, 31)
    assert found["fin_convention"].date == D(2024, 3, 31)
    assert "depuis le début du contrat de travail" in found["fin_subvention"].explanation


def test_from_the_post_date_the_result_says_what_it_assumes(params: Parameters) -> None:
    found = {d.kind: d for d in deadlines_for(
        Milestone(kind="prise_de_poste", date=D(2021, 4, 1)), params)}
    assert found["fin_subvention"].date == D(2023, 3, 31)
    assert "comme si le contrat avait commencé ce jour-là" in \
        found["fin_subvention"].explanation


async def test_the_reminders_flow_asks_for_the_contract_start(chat) -> None:
    await chat.say("/rappels")
    await chat.press("Le contrat de travail a commencé")
    assert "À quelle date le contrat de travail du conseiller a-t-il commencé ?" in chat.text


# --- 8. reminders skip the public holidays of the territory --------------------------------

def reminder_days(params: Parameters, territory: str, selected: dt.date) -> list[dt.date]:
    place = params.territories[territory]
    deadline, = deadlines_for(Milestone(kind="candidat_selectionne", date=selected), params)
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    schedule = plan([deadline], place.timezone, now=now, policy=policy_for(place))
    return [r.day for r in schedule.planned]


def test_a_reminder_on_14_july_moves_to_the_working_day_before(params: Parameters) -> None:
    # signature due on Monday 14 July 2025 (15 days after 29 June): stated as it is
    deadline, = deadlines_for(Milestone(kind="candidat_selectionne", date=D(2025, 6, 29)),
                              params)
    assert deadline.date == D(2025, 7, 14)
    assert reminder_days(params, "metropole", D(2025, 6, 29)) == [
        D(2025, 7, 7), D(2025, 7, 11)]   # J-2 (Sat 12) and J0 (holiday) → Fri 11, kept once


@pytest.mark.parametrize(("territory", "last"), [
    ("martinique", D(2025, 5, 21)),   # 22 May: abolition of slavery in Martinique
    ("guadeloupe", D(2025, 5, 22)),   # in Guadeloupe it is 27 May
    ("metropole", D(2025, 5, 22)),
])
def test_holidays_are_those_of_the_territory(params: Parameters, territory: str,
                                             last: dt.date) -> None:
    assert reminder_days(params, territory, D(2025, 5, 7))[-1] == last


def test_every_territory_has_its_holidays(params: Parameters) -> None:
    for place in params.territories.values():
        working = policy_for(place).is_working_day
        assert not working(D(2026, 12, 25)) and not working(D(2026, 5, 1)), place.id
    reunion = policy_for(params.territories["reunion"]).is_working_day
    metropole = policy_for(params.territories["metropole"]).is_working_day
    assert not reunion(D(2027, 12, 20)) and metropole(D(2027, 12, 20))  # a Monday


def test_calendar_alarms_follow_the_territory_holidays(params: Parameters) -> None:
    deadline, = deadlines_for(Milestone(kind="candidat_selectionne", date=D(2025, 5, 7)),
                              params)
    nine = dt.timedelta(hours=9)
    martinique = ics.alarms(deadline, policy_for(params.territories["martinique"]))
    metropole = ics.alarms(deadline, policy_for(params.territories["metropole"]))
    assert nine in metropole and nine not in martinique
    assert nine - dt.timedelta(days=1) in martinique
