"""Pure rules of the programme over the parameters: no clock, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from bot.programme.dates import MONTHS_PER_YEAR, add_months
from bot.programme.params import Parameter, Parameters, Territory


@dataclass(frozen=True, slots=True, kw_only=True)
class Subsidy:
    """The State subsidy of the 2020 AMI for a number of posts in a territory."""

    posts: int
    per_post: Parameter
    total: float

    @property
    def uncertain(self) -> bool:
        return self.per_post.uncertain


def initial_subsidy(params: Parameters, territory: Territory, posts: int, *,
                    private: bool = False) -> Subsidy:
    """Subsidy of the initial convention (AMI 2020): posts × the amount per post."""
    if posts < 1:
        raise ValueError("posts must be at least 1")
    per_post = params["subvention_prive_v1"] if private else params.subsidy(territory)
    return Subsidy(posts=posts, per_post=per_post, total=posts * float(per_post.value))


# ----------------------------------------------------------------------------------------
# Eligibility (AMI 2020 for public structures, AMI of March 2021 for private ones)
# ----------------------------------------------------------------------------------------

PUBLIC_STRUCTURES = frozenset({
    "commune", "epci", "departement", "region", "statut_particulier", "ccas_cias"})
STRUCTURES = PUBLIC_STRUCTURES | {"gip", "etablissement_public", "prive", "etat"}
PUBLIC_ESTABLISHMENTS = frozenset({
    "rattache_collectivite", "chambre_consulaire", "epa_etat", "epic_identifie"})
ESTABLISHMENTS = PUBLIC_ESTABLISHMENTS | {"autre"}
PRIVATE_ELIGIBLE = frozenset({"association", "ess", "esh", "interet_general"})
PRIVATE_KINDS = PRIVATE_ELIGIBLE | {"entreprise"}
COMMITMENTS = ("selection", "signature", "formation", "equipement", "smic")
# The délai a commitment is about: refusing it rests on that parameter.
COMMITMENT_PARAMS = {"selection": "delai_selection_jours", "signature": "delai_signature_jours",
                     "formation": "delai_depart_formation_jours"}
Verdict = Literal["eligible", "autre_appel", "a_verifier", "non_eligible"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Eligibility:
    """Whether a structure can host a conseiller, and which commitments it cannot keep."""

    status: Verdict
    structure_ok: bool
    refused_commitments: tuple[str, ...]
    doubtful_refusals: tuple[str, ...] = ()  # refused, but the délai itself is uncertain


def eligibility(structure: str, *, gip_public: bool | None = None,
                establishment: str | None = None, private_kind: str | None = None,
                commitments: Mapping[str, bool] | None = None,
                doubtful: frozenset[str] = frozenset()) -> Eligibility:
    """Eligibility by structure type, then by the AMI's commitments (all must be kept).

    A commitment in `doubtful` rests on an uncertain délai: refusing only such commitments
    gives "a_verifier", never "non_eligible"."""
    if structure not in STRUCTURES:
        raise ValueError(f"unknown structure {structure!r}")
    if structure in PUBLIC_STRUCTURES:
        status: Verdict = "eligible"
    elif structure == "gip":
        status = "eligible" if gip_public else "non_eligible"
    elif structure == "etablissement_public":
        status = "eligible" if establishment in PUBLIC_ESTABLISHMENTS else "non_eligible"
    elif structure == "prive":
        status = "autre_appel" if private_kind in PRIVATE_ELIGIBLE else "non_eligible"
    else:
        status = "non_eligible"
    structure_ok = status != "non_eligible"
    refused = tuple(c for c in COMMITMENTS if (commitments or {}).get(c) is False)
    doubtful_refusals = tuple(c for c in refused if c in doubtful)
    if len(refused) > len(doubtful_refusals):
        status = "non_eligible"
    elif refused and structure_ok:
        status = "a_verifier"
    return Eligibility(status=status, structure_ok=structure_ok, refused_commitments=refused,
                       doubtful_refusals=doubtful_refusals)


def doubtful_commitments(params: Parameters) -> frozenset[str]:
    """Commitments whose délai is an uncertain parameter."""
    return frozenset(c for c, p in COMMITMENT_PARAMS.items() if params[p].uncertain)


def allocation_closed(params: Parameters, today: dt.date) -> bool:
    """True once the 2025 management rules stopped new posts and new conventions."""
    return today >= params.value("date_regles_2025")  # type: ignore[operator]


# ----------------------------------------------------------------------------------------
# Funding simulation (facts.md §4.2: subsidy capped by the justified salary cost)
# ----------------------------------------------------------------------------------------

Convention = Literal["ami_2020", "renouvellement_2023"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationInput:
    """Everything the simulation needs; amounts in euros, rate in percent."""

    posts: int
    territory: Territory
    private: bool
    convention: Convention
    qpv_zrr: bool
    start: dt.date
    months: int
    gross_salary: float
    employer_rate: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Month:
    """One month of the contract: the gross salary paid (never below the SMIC) and its cost."""

    start: dt.date
    end: dt.date
    smic: float
    gross: float
    cost: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    """A known part of the subsidy, per post: a convention year and its amount."""

    year: int
    start: dt.date
    end: dt.date
    amount: float
    bonus: float
    after_funding_end: bool = False  # the year reaches the announced end of State funding


@dataclass(frozen=True, slots=True, kw_only=True)
class Simulation:
    """Result per post (the totals multiply by the number of posts)."""

    input: SimulationInput
    cap: float                    # the convention's full amount per post
    subsidy_months: int           # months the subsidy is meant to cover
    granted: float                # after the modulation by contract length
    subsidy: float                # kept: granted, capped by the justified salary cost
    to_repay: float               # granted beyond the justified cost
    cost: float
    remaining: float
    months: tuple[Month, ...]
    payments: tuple[Payment, ...]  # empty when the split over time is not known
    prorated: bool
    smic_raised: bool             # the entered salary was below the SMIC in some months
    smic_unknown_after: dt.date | None
    params_used: tuple[str, ...]
    closed_since: dt.date | None = None  # the contract starts after new conventions stopped
    past_funding_end: bool = False       # the contract reaches the announced end of funding

    @property
    def total_subsidy(self) -> float:
        return round(self.subsidy * self.input.posts, 2)

    @property
    def total_cost(self) -> float:
        return round(self.cost * self.input.posts, 2)

    @property
    def total_remaining(self) -> float:
        return round(self.remaining * self.input.posts, 2)

    @property
    def total_to_repay(self) -> float:
        return round(self.to_repay * self.input.posts, 2)


def smic_at(params: Parameters, territory: Territory, day: dt.date) -> float:
    """Gross monthly SMIC (full time) in force on `day` in the territory."""
    return float(params[territory.smic_param].value_at(day))


def salary_months(params: Parameters, territory: Territory, start: dt.date, months: int,
                  gross_salary: float, employer_rate: float) -> tuple[Month, ...]:
    """The contract month by month; a SMIC raise during a month counts for the whole month."""
    result = []
    for index in range(months):
        begin = add_months(start, index)
        end = add_months(start, index + 1) - dt.timedelta(days=1)
        smic = max(smic_at(params, territory, begin), smic_at(params, territory, end))
        gross = max(gross_salary, smic)
        result.append(Month(start=begin, end=end, smic=smic, gross=gross,
                            cost=round(gross * (1 + employer_rate / 100), 2)))
    return tuple(result)


def subsidy_cap_params(params: Parameters, inp: SimulationInput) -> tuple[str, ...]:
    """Ids of the parameters whose sum is the convention's full amount per post."""
    if inp.convention == "ami_2020":
        return ("subvention_prive_v1",) if inp.private else (inp.territory.subsidy_param,)
    amounts, bonuses = _yearly_ids(params, inp)
    return (*amounts, *bonuses)


def _yearly_ids(params: Parameters, inp: SimulationInput) -> tuple[list[str], list[str]]:
    years = int(params.value("duree_convention_v2_mois")) // MONTHS_PER_YEAR
    kind = "prive" if inp.private else "public"
    amounts = [f"v2_{kind}_annee{year}" for year in range(1, years + 1)]
    bonuses = [f"v2_bonus_qpv_zrr_annee{year}" for year in range(1, years + 1)] \
        if inp.qpv_zrr and not inp.private else []
    return amounts, bonuses


def simulate(params: Parameters, inp: SimulationInput) -> Simulation:
    """Subsidy, salary cost and what stays at the employer's charge, per post."""
    if inp.posts < 1 or inp.months < 1:
        raise ValueError("posts and months must be at least 1")
    months = salary_months(params, inp.territory, inp.start, inp.months, inp.gross_salary,
                           inp.employer_rate)
    cost = round(sum(m.cost for m in months), 2)
    used = [inp.territory.smic_param, *subsidy_cap_params(params, inp)]
    cap = round(sum(float(params.value(p)) for p in subsidy_cap_params(params, inp)), 2)
    payments: tuple[Payment, ...] = ()
    if inp.convention == "ami_2020":
        duration_id = "duree_subvention_prive_mois" if inp.private \
            else "duree_subvention_public_mois"
        used += [duration_id, "nombre_tranches_v1"]
        duration = int(params.value(duration_id))
        covered = min(inp.months, duration)
        granted = round(cap * covered / duration, 2)
        prorated = covered < duration
    else:
        used.append("duree_convention_v2_mois")
        duration = int(params.value("duree_convention_v2_mois"))
        amounts, bonuses = _yearly_ids(params, inp)
        payments = tuple(_payment(params, inp, year, amount_id,
                                  bonuses[year - 1] if bonuses else None)
                         for year, amount_id in enumerate(amounts, start=1))
        payments = tuple(p for p in payments if p.amount + p.bonus > 0)
        granted = round(sum(p.amount + p.bonus for p in payments), 2)
        prorated = inp.months < duration
    closure = params.value("date_regles_2025")
    closed_since = closure if isinstance(closure, dt.date) and inp.start >= closure else None
    funding_end = funding_end_day(params)
    past_funding_end = months[-1].end >= funding_end
    payments = tuple(replace(p, after_funding_end=p.end >= funding_end) for p in payments)
    used += [*(["date_regles_2025"] if closed_since else []),
             *(["annee_fin_financement"] if past_funding_end else [])]
    subsidy = min(granted, cost)
    last_change = params[inp.territory.smic_param].since
    horizon = dt.date(last_change.year, 12, 31) if last_change else None
    return Simulation(
        input=inp, cap=cap, subsidy_months=duration, granted=granted, subsidy=subsidy,
        to_repay=round(granted - subsidy, 2), cost=cost, remaining=round(cost - subsidy, 2),
        months=months, payments=payments, prorated=prorated,
        smic_raised=any(m.gross > inp.gross_salary for m in months),
        smic_unknown_after=horizon if horizon and months[-1].end > horizon else None,
        params_used=tuple(dict.fromkeys(used)), closed_since=closed_since,
        past_funding_end=past_funding_end)


def funding_end_day(params: Parameters) -> dt.date:
    """First day of the year from which the State announced it stops funding the programme."""
    return dt.date(int(params.value("annee_fin_financement")), 1, 1)


def _payment(params: Parameters, inp: SimulationInput, year: int, amount_id: str,
             bonus_id: str | None) -> Payment:
    first = (year - 1) * MONTHS_PER_YEAR
    covered = max(0, min(inp.months - first, MONTHS_PER_YEAR))
    share = covered / MONTHS_PER_YEAR
    amount = round(float(params.value(amount_id)) * share, 2)
    bonus = round(float(params.value(bonus_id)) * share, 2) if bonus_id else 0.0
    return Payment(year=year, start=add_months(inp.start, first),
                   end=add_months(inp.start, first + MONTHS_PER_YEAR) - dt.timedelta(days=1),
                   amount=amount, bonus=bonus)


def training_paths(params: Parameters, posts: int) -> float:
    """Training paths paid by the State per post (more per post for small structures)."""
    threshold = int(params.value("seuil_postes_grande_structure"))
    key = "parcours_formation_grande_structure" if posts >= threshold \
        else "parcours_formation_petite_structure"
    return float(params.value(key))
