"""Rules of eligibility and funding: hand-computed cases, then properties (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.loader import Content
from bot.programme.params import Parameters
from bot.programme.rules import (
    SimulationInput,
    add_months,
    allocation_closed,
    eligibility,
    salary_months,
    simulate,
    training_paths,
)
from tests.support.flows import simulation


@pytest.fixture(scope="module")
def params(content: Content) -> Parameters:
    return content.params


# --- hand-computed cases ------------------------------------------------------------------

def test_initial_convention_at_the_smic_matches_facts_example(params: Parameters) -> None:
    """facts.md §4.3: 24 months from 1 May 2021 at the SMIC, 36.5 % → 53 402 € of cost."""
    result = simulate(params, simulation(params))
    # SMIC by month: May–Sep 2021 1 554,58 (5) · Oct–Dec 2021 1 589,47 (3) · Jan–Apr 2022
    # 1 603,12 (4) · May–Jul 2022 1 645,58 (3) · Aug–Dec 2022 1 678,95 (5) · Jan–Apr 2023
    # 1 709,28 (4)
    gross = 5 * 1554.58 + 3 * 1589.47 + 4 * 1603.12 + 3 * 1645.58 + 5 * 1678.95 + 4 * 1709.28
    assert sum(m.gross for m in result.months) == pytest.approx(gross) == pytest.approx(39122.40)
    # each month × 1,365, rounded to the cent: 2 122,00 · 2 169,63 · 2 188,26 · 2 246,22 ·
    # 2 291,77 · 2 333,17
    cost = 5 * 2122.00 + 3 * 2169.63 + 4 * 2188.26 + 3 * 2246.22 + 5 * 2291.77 + 4 * 2333.17
    assert result.cost == pytest.approx(cost) == pytest.approx(53402.12)
    assert result.subsidy == 50000
    assert result.remaining == pytest.approx(53402.12 - 50000)  # 3 402,12
    assert result.payments == ()  # the split of the 2020 convention is not known
    assert not result.prorated


def test_initial_convention_from_september_2021(params: Parameters) -> None:
    """facts.md §4.3: 24 months from 1 September 2021 → 39 893 € gross, 54 454 € of cost."""
    result = simulate(params, simulation(params, start=dt.date(2021, 9, 1)))
    gross = 1 * 1554.58 + 3 * 1589.47 + 4 * 1603.12 + 3 * 1645.58 + 5 * 1678.95 + 4 * 1709.28 \
        + 4 * 1747.20  # Sep 2021 · … · Jan–Apr 2023 · May–Aug 2023
    assert sum(m.gross for m in result.months) == pytest.approx(gross) == pytest.approx(39892.88)
    assert result.cost == pytest.approx(54453.84)
    assert result.remaining == pytest.approx(54453.84 - 50000)


def test_renewal_in_priority_area_for_two_posts(params: Parameters) -> None:
    """facts.md §4.3: renewal 2024–2026, QPV/ZRR: 50 000 € of subsidy, ≈ 38 400 € left."""
    result = simulate(params, simulation(params, convention="renouvellement_2023",
                                         qpv_zrr=True, start=dt.date(2024, 1, 1), months=36,
                                         posts=2))
    # Jan–Oct 2024 1 766,92 (10) · Nov 2024–Dec 2025 1 801,80 (14) · 2026 1 823,03 (12)
    assert sum(m.gross for m in result.months) == pytest.approx(
        10 * 1766.92 + 14 * 1801.80 + 12 * 1823.03)
    assert [(p.year, p.amount, p.bonus) for p in result.payments] == [
        (1, 17500, 2500), (2, 12500, 5000), (3, 12500, 0)]
    assert result.subsidy == 17500 + 2500 + 12500 + 5000 + 12500  # 50 000
    assert result.cost == pytest.approx(88412.22)
    assert result.total_remaining == pytest.approx(2 * (88412.22 - 50000))  # 76 824,44
    assert result.payments[1].start == dt.date(2025, 1, 1)
    assert result.payments[2].end == dt.date(2026, 12, 31)


def test_short_private_contract_in_mayotte_is_capped_by_the_salary_cost(
        params: Parameters) -> None:
    result = simulate(params, simulation(params, territory=params.territories["mayotte"],
                                         private=True, start=dt.date(2022, 1, 1), months=12))
    # Mayotte SMIC in 2022: 1 199,71 (the next known value is from November 2024)
    # 1 199,71 × 1,365 = 1 637,60 a month; 12 months = 19 651,20
    assert result.cost == pytest.approx(12 * 1637.60)
    # private subsidy 40 000 € for 18 months, prorated: 40 000 × 12 / 18 = 26 666,67
    assert result.granted == pytest.approx(26666.67)
    assert result.prorated
    assert result.subsidy == pytest.approx(19651.20)   # capped by the justified cost
    assert result.to_repay == pytest.approx(26666.67 - 19651.20)
    assert result.remaining == 0


def test_shorter_renewal_is_prorated_by_year(params: Parameters) -> None:
    result = simulate(params, simulation(params, convention="renouvellement_2023",
                                         private=True, start=dt.date(2023, 7, 1), months=18))
    # year 1: 20 000 × 12/12 ; year 2: 14 000 × 6/12 = 7 000 ; year 3: nothing
    assert [(p.year, p.amount) for p in result.payments] == [(1, 20000), (2, 7000)]
    assert result.granted == 27000


def test_salary_above_the_smic_is_kept_and_raised_when_the_smic_passes_it(
        params: Parameters) -> None:
    metropole = params.territories["metropole"]
    kept = salary_months(params, metropole, dt.date(2021, 9, 1), 3, 1600.0, 40.0)
    assert [m.gross for m in kept] == [1600.0, 1600.0, 1600.0]
    assert kept[0].cost == 2240.0  # 1 600 × 1,40
    raised = salary_months(params, metropole, dt.date(2022, 4, 1), 3, 1600.0, 0.0)
    assert [m.gross for m in raised] == [1603.12, 1645.58, 1645.58]


def test_a_smic_raise_during_a_month_counts_for_the_whole_month(params: Parameters) -> None:
    months = salary_months(params, params.territories["metropole"], dt.date(2021, 9, 15), 2,
                           0.0, 0.0)
    # 15 Sep – 14 Oct 2021 contains the raise of 1 October: 1 589,47 for the whole month
    assert [(m.start, m.end, m.gross) for m in months] == [
        (dt.date(2021, 9, 15), dt.date(2021, 10, 14), 1589.47),
        (dt.date(2021, 10, 15), dt.date(2021, 11, 14), 1589.47)]


def test_unknown_future_smic_is_flagged(params: Parameters) -> None:
    result = simulate(params, simulation(params, start=dt.date(2026, 1, 1), months=24))
    assert result.smic_unknown_after == dt.date(2026, 12, 31)
    assert simulate(params, simulation(params)).smic_unknown_after is None


def test_add_months_keeps_the_last_day() -> None:
    assert add_months(dt.date(2021, 1, 31), 1) == dt.date(2021, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2021, 11, 30), 14) == dt.date(2023, 1, 30)


def test_training_paths_depend_on_the_number_of_posts(params: Parameters) -> None:
    assert training_paths(params, 1) == 2 == training_paths(params, 2)
    assert training_paths(params, 3) == 1.5


@pytest.mark.parametrize("structure", [
    "commune", "epci", "departement", "region", "statut_particulier", "ccas_cias"])
def test_public_structures_are_eligible(structure: str) -> None:
    assert eligibility(structure).status == "eligible"


def test_other_structures() -> None:
    assert eligibility("gip", gip_public=True).status == "eligible"
    assert eligibility("gip", gip_public=False).status == "non_eligible"
    assert eligibility("etablissement_public", establishment="chambre_consulaire").status \
        == "eligible"
    assert eligibility("etablissement_public", establishment="autre").status == "non_eligible"
    assert eligibility("prive", private_kind="association").status == "autre_appel"
    assert eligibility("prive", private_kind="entreprise").status == "non_eligible"
    assert eligibility("etat").status == "non_eligible"
    assert not eligibility("etat").structure_ok


def test_a_refused_commitment_makes_an_eligible_structure_ineligible() -> None:
    result = eligibility("commune", commitments={"selection": True, "signature": False,
                                                 "formation": True, "smic": False})
    assert result.status == "non_eligible"
    assert result.structure_ok
    assert result.refused_commitments == ("signature", "smic")


def test_allocation_closed_since_the_2025_rules(params: Parameters) -> None:
    assert not allocation_closed(params, dt.date(2025, 5, 13))
    assert allocation_closed(params, dt.date(2025, 5, 14))


# --- properties ---------------------------------------------------------------------------

@st.composite
def inputs(draw: st.DrawFn, params: Parameters) -> SimulationInput:
    return SimulationInput(
        posts=draw(st.integers(1, 4000)),
        territory=draw(st.sampled_from(sorted(params.territories.values(),
                                              key=lambda t: t.id))),
        private=draw(st.booleans()),
        convention=draw(st.sampled_from(["ami_2020", "renouvellement_2023"])),
        qpv_zrr=draw(st.booleans()),
        start=draw(st.dates(dt.date(2020, 11, 17), dt.date(2028, 12, 31))),
        months=draw(st.integers(1, 36)),
        gross_salary=draw(st.floats(0, 6000, allow_nan=False)),
        employer_rate=draw(st.floats(0, 100, allow_nan=False)))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_subsidy_never_exceeds_the_cap_nor_the_salary_cost(content: Content,
                                                           data: st.DataObject) -> None:
    params = content.params
    inp = data.draw(inputs(params))
    result = simulate(params, inp)
    assert result.subsidy <= result.cap + 1e-9
    assert result.subsidy <= result.cost + 1e-9
    if inp.convention == "ami_2020":
        cap = params["subvention_prive_v1"] if inp.private else params.subsidy(inp.territory)
        assert result.cap == cap.value
    assert result.remaining >= 0
    assert result.total_remaining >= 0
    assert all(m.gross >= m.smic for m in result.months)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), more=st.integers(1, 50))
def test_more_posts_never_cost_less(content: Content, data: st.DataObject, more: int) -> None:
    params = content.params
    inp = data.draw(inputs(params))
    bigger = SimulationInput(**{**{f: getattr(inp, f) for f in inp.__dataclass_fields__},
                                "posts": inp.posts + more})
    assert simulate(params, bigger).total_remaining >= simulate(params, inp).total_remaining
    assert simulate(params, bigger).total_cost >= simulate(params, inp).total_cost
