"""Rules that flows can name in a `calcul` step: their inputs, outputs and French rendering."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Literal

from bot.core import formatting
from bot.programme.deadlines import MILESTONES, Milestone, deadlines_for, describe
from bot.programme.params import Parameters, Territory
from bot.programme.reminder_policy import describe_schedule, plan, policy_for
from bot.programme.rules import (
    COMMITMENT_PARAMS,
    COMMITMENTS,
    ESTABLISHMENTS,
    PRIVATE_KINDS,
    STRUCTURES,
    Simulation,
    SimulationInput,
    allocation_closed,
    doubtful_commitments,
    eligibility,
    simulate,
    smic_at,
    training_paths,
)

Kind = Literal["choice", "int", "number", "euros", "percent", "date", "text", "html", "bool",
               "code"]
YES_NO = frozenset({"oui", "non"})
OTHER_TERRITORY = "autre"


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleEnv:
    """What a rule may use besides answers: the parameters, today's date and the current
    instant (given by the engine's clock; rules never read a clock)."""

    params: Parameters
    today: dt.date
    now: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSpec:
    """A rule a flow can name: typed inputs (answers), typed outputs, allowed choice values."""

    name: str
    inputs: Mapping[str, Kind]
    outputs: Mapping[str, Kind]
    run: Callable[[RuleEnv, Mapping[str, Any]], dict[str, Any]]
    optional: frozenset[str] = frozenset()
    choices: Callable[[Parameters], Mapping[str, frozenset[str]]] = field(
        default=lambda params: {})
    # A rejecting outcome (output → value, "statut" → "non_eligible") and, per input, the
    # parameter whose uncertainty the rule takes into account (it then says "à vérifier").
    # `python -m bot check` refuses a rejection drawn from an answer asked with an uncertain
    # parameter the rule does not guard.
    rejects: Mapping[str, str] = field(default_factory=dict)
    guards: Mapping[str, str] = field(default_factory=dict)

    def allowed(self, params: Parameters) -> Mapping[str, frozenset[str]]:
        """Choice values the rule understands, per input."""
        return self.choices(params)


# --- eligibility --------------------------------------------------------------------------

def _eligibility(env: RuleEnv, answers: Mapping[str, Any]) -> dict[str, Any]:
    commitments = {c: answers[c] == "oui" for c in COMMITMENTS if answers.get(c)}
    gip = answers.get("gip_public")
    result = eligibility(answers["structure"], gip_public=None if gip is None else gip == "oui",
                         establishment=answers.get("etablissement"),
                         private_kind=answers.get("prive_type"), commitments=commitments,
                         doubtful=doubtful_commitments(env.params))
    return {"statut": result.status, "structure_eligible": result.structure_ok,
            "engagements_refuses": len(result.refused_commitments),
            "engagements_a_verifier": len(result.doubtful_refusals),
            "attribution_fermee": allocation_closed(env.params, env.today)}


ELIGIBILITY = RuleSpec(
    name="eligibilite",
    inputs={"structure": "choice", "gip_public": "choice", "etablissement": "choice",
            "prive_type": "choice", **dict.fromkeys(COMMITMENTS, "choice")},
    optional=frozenset({"gip_public", "etablissement", "prive_type", *COMMITMENTS}),
    outputs={"statut": "code", "structure_eligible": "bool", "engagements_refuses": "int",
             "engagements_a_verifier": "int", "attribution_fermee": "bool"},
    run=_eligibility,
    rejects={"statut": "non_eligible"},
    guards=COMMITMENT_PARAMS,
    choices=lambda params: {"structure": STRUCTURES, "gip_public": YES_NO,
                            "etablissement": ESTABLISHMENTS, "prive_type": PRIVATE_KINDS,
                            **dict.fromkeys(COMMITMENTS, YES_NO)})


# --- SMIC at the start of the contract ----------------------------------------------------

def territory_of(params: Parameters, answers: Mapping[str, Any]) -> Territory:
    """The territory answered, through the "other overseas collectivité" question if needed."""
    chosen = answers["territoire"]
    if chosen == OTHER_TERRITORY:
        chosen = answers.get("territoire_autre")
    if chosen not in params.territories:
        raise ValueError(f"unknown territory {chosen!r}")
    return params.territories[chosen]


def _territory_choices(params: Parameters) -> Mapping[str, frozenset[str]]:
    return {"territoire": frozenset(params.territories) | {OTHER_TERRITORY},
            "territoire_autre": frozenset(t.id for t in params.territories.values()
                                          if t.overseas)}


def _smic_at_start(env: RuleEnv, answers: Mapping[str, Any]) -> dict[str, Any]:
    territory = territory_of(env.params, answers)
    return {"smic_debut": smic_at(env.params, territory, answers["debut"]),
            "territoire_nom": territory.name}


SMIC_AT_START = RuleSpec(
    name="smic_au_debut",
    inputs={"territoire": "choice", "territoire_autre": "choice", "debut": "date"},
    optional=frozenset({"territoire_autre"}),
    outputs={"smic_debut": "euros", "territoire_nom": "text"},
    run=_smic_at_start,
    choices=_territory_choices)


# --- funding simulation -------------------------------------------------------------------

def simulation_input(params: Parameters, answers: Mapping[str, Any]) -> SimulationInput:
    """The simulation's input from the flow's answers."""
    return SimulationInput(
        posts=answers["postes"], territory=territory_of(params, answers),
        private=answers["structure"] == "prive", convention=answers["convention"],
        qpv_zrr=answers.get("qpv_zrr") == "oui", start=answers["debut"],
        months=answers["duree"], gross_salary=answers["salaire"],
        employer_rate=answers["taux_patronal"])


def _simulation(env: RuleEnv, answers: Mapping[str, Any]) -> dict[str, Any]:
    params = env.params
    result = simulate(params, simulation_input(params, answers))
    return {
        "subvention_poste": result.subsidy, "subvention_totale": result.total_subsidy,
        "cout_poste": result.cost, "cout_total": result.total_cost,
        "reste_poste": result.remaining, "reste_total": result.total_remaining,
        "plafond_poste": result.cap, "parcours_formation": training_paths(params,
                                                                          result.input.posts),
        "versements": payments_html(params, result),
        "detail_mensuel": months_html(result),
        "alertes": warnings_html(params, result),
        "avertissement": period_html(params, result),
        "sources_simulation": sources_html(params, result),
    }


SIMULATION = RuleSpec(
    name="simulation",
    inputs={"postes": "int", "territoire": "choice", "territoire_autre": "choice",
            "structure": "choice", "convention": "choice", "qpv_zrr": "choice",
            "debut": "date", "duree": "int", "salaire": "euros", "taux_patronal": "percent"},
    optional=frozenset({"territoire_autre", "qpv_zrr"}),
    outputs={"subvention_poste": "euros", "subvention_totale": "euros", "cout_poste": "euros",
             "cout_total": "euros", "reste_poste": "euros", "reste_total": "euros",
             "plafond_poste": "euros", "parcours_formation": "number", "versements": "html",
             "detail_mensuel": "html", "alertes": "html", "avertissement": "html",
             "sources_simulation": "html"},
    run=_simulation,
    choices=lambda params: {**_territory_choices(params),
                            "structure": frozenset({"public", "prive"}),
                            "convention": frozenset({"ami_2020", "renouvellement_2023"}),
                            "qpv_zrr": YES_NO})


# --- deadlines of a recruitment milestone ------------------------------------------------

def milestone_of(answers: Mapping[str, Any]) -> Milestone:
    """The milestone answered in the reminders flow."""
    return Milestone(kind=answers["jalon"], date=answers["date_jalon"])


def _deadlines(env: RuleEnv, answers: Mapping[str, Any]) -> dict[str, Any]:
    territory = territory_of(env.params, answers)
    deadlines = deadlines_for(milestone_of(answers), env.params)
    now = env.now or dt.datetime.combine(env.today, dt.time(0), tzinfo=territory.zone)
    schedule = plan(deadlines, territory.timezone, now=now, policy=policy_for(territory))
    return {"echeances": "\n\n".join(describe(d) for d in deadlines),
            "rappels": describe_schedule(schedule),
            "nombre_rappels": len(schedule.planned),
            "territoire_nom": territory.name}


DEADLINES = RuleSpec(
    name="echeances",
    inputs={"jalon": "choice", "date_jalon": "date", "territoire": "choice",
            "territoire_autre": "choice"},
    optional=frozenset({"territoire_autre"}),
    outputs={"echeances": "html", "rappels": "html", "nombre_rappels": "int",
             "territoire_nom": "text"},
    run=_deadlines,
    choices=lambda params: {**_territory_choices(params), "jalon": frozenset(MILESTONES)})


REGISTRY: Mapping[str, RuleSpec] = {
    r.name: r for r in (ELIGIBILITY, SMIC_AT_START, SIMULATION, DEADLINES)}


# --- actions: what the confirm button of a recap does (run by the engine, with I/O) -------

@dataclass(frozen=True, slots=True, kw_only=True)
class ActionSpec:
    """An action a recap can end with: its name and the values it needs."""

    name: str
    inputs: Mapping[str, Kind]
    optional: frozenset[str] = frozenset()


SCHEDULE_REMINDERS = ActionSpec(
    name="programmer_rappels",
    inputs={"jalon": "choice", "date_jalon": "date", "territoire": "choice",
            "territoire_autre": "choice"},
    optional=frozenset({"territoire_autre"}))

ACTIONS: Mapping[str, ActionSpec] = {a.name: a for a in (SCHEDULE_REMINDERS,)}


# --- French rendering of a simulation (HTML-safe) -----------------------------------------

def _p(params: Parameters, param_id: str) -> str:
    param = params[param_id]
    return html.escape(param.format()) + (" (à confirmer)" if param.uncertain else "")


def payments_html(params: Parameters, result: Simulation) -> str:
    """What is known of the subsidy's split over time, and what is not."""
    inp = result.input
    lines: list[str] = []
    if inp.convention == "ami_2020":
        duration_id = "duree_subvention_prive_mois" if inp.private \
            else "duree_subvention_public_mois"
        lines.append(
            f"Répartition dans le temps : la subvention couvre {_p(params, duration_id)} de "
            f"salaire. Le nombre de versements de la convention initiale (annoncé : "
            f"{_p(params, 'nombre_tranches_v1')}), leur montant et leur calendrier ne sont "
            "pas connus.")
        if result.prorated:
            lines.append(
                f"Contrat de {formatting.quantity(inp.months, 'mois', 'mois')}, plus court que "
                "la durée de la subvention : <b>hypothèse prudente</b> d'un montant au prorata "
                f"des mois ({formatting.euros(result.cap)} × {inp.months} / "
                f"{result.subsidy_months}). La règle officielle de modulation selon la durée "
                "du contrat n'est pas connue.")
        elif inp.months > result.subsidy_months and not inp.private:
            lines.append(
                "Au-delà, la subvention n'augmente pas ; une structure publique peut l'étaler "
                f"sur {_p(params, 'duree_convention_max_mois')} au plus.")
    else:
        lines.append(
            f"Versements par poste ({_p(params, 'nombre_versements_v2')} prévus ; une tranche "
            "par année de convention est une <b>déduction à confirmer</b>) :")
        for payment in result.payments:
            bonus = f" + {formatting.euros(payment.bonus)} de bonification QPV/ZRR" \
                if payment.bonus else ""
            end = (" ⚠ cette année atteint la fin annoncée du financement de l'État à compter "
                   f"de {params['annee_fin_financement'].format()}") \
                if payment.after_funding_end else ""
            lines.append(f"• année {payment.year} (du {formatting.date(payment.start)} au "
                         f"{formatting.date(payment.end)}) : "
                         f"{formatting.euros(payment.amount)}{bonus}{end}")
        if result.prorated:
            lines.append(
                f"Contrat de {formatting.quantity(inp.months, 'mois', 'mois')}, plus court que "
                f"la convention ({_p(params, 'duree_convention_v2_mois')}) : <b>hypothèse "
                "prudente</b> d'un montant annuel au prorata des mois couverts.")
    if result.to_repay > 0:
        lines.append(
            f"⚠ Le coût salarial justifié ({formatting.euros(result.cost)} par poste) est "
            f"inférieur à la subvention prévue ({formatting.euros(result.granted)}) : "
            f"{formatting.euros(result.to_repay)} par poste seraient à reverser.")
    return "\n".join(lines)


def period_html(params: Parameters, result: Simulation) -> str:
    """What the sources say of a contract that starts after the 2025 rules or reaches the
    announced end of State funding: shown first, before any figure."""
    lines = []
    if result.closed_since:
        lines.append(
            f"⚠ <b>Depuis le {formatting.date(result.closed_since)}, aucun nouveau poste n'est "
            "attribué et aucune nouvelle convention n'est signée</b> (règles de gestion publiées "
            "dans la FAQ officielle) : seules les conventions déjà signées sont payées. Ce "
            "calcul ne vaut que pour un poste déjà conventionné, par exemple le remplaçant d'un "
            "conseiller parti, recruté sans nouvelle convention.")
    if result.past_funding_end:
        year = params["annee_fin_financement"].format()
        lines.append(
            "⚠ <b>Le projet de loi de finances 2026 annonce que « l'État cessera de financer ce "
            f"dispositif à compter de {year} »</b> ; le texte final de la loi de finances 2026 "
            "n'a pas été trouvé. Les montants après cette date ne sont pas garantis.")
    return "\n".join(lines)


def months_html(result: Simulation) -> str:
    """The contract month by month, grouped while the salary does not change."""
    lines = ["Salaire brut mois par mois (jamais sous le SMIC du mois) :"]
    for (gross, cost), group in groupby(result.months, key=lambda m: (m.gross, m.cost)):
        months = list(group)
        count = formatting.quantity(len(months), "mois", "mois")
        lines.append(f"• du {formatting.date(months[0].start)} au "
                     f"{formatting.date(months[-1].end)} ({count}) : "
                     f"{formatting.euros(gross)} brut, {formatting.euros(cost)} chargé par mois")
    if result.smic_raised:
        lines.append("Le salaire indiqué est porté au SMIC les mois où celui-ci le dépasse.")
    if result.smic_unknown_after:
        lines.append(f"Le SMIC après le {formatting.date(result.smic_unknown_after)} n'est pas "
                     "connu : sa dernière valeur est gardée (hypothèse).")
    return "\n".join(lines)


def warnings_html(params: Parameters, result: Simulation) -> str:
    """Uncertain parameters and assumptions behind the figures."""
    inp = result.input
    used = list(result.params_used)
    if inp.employer_rate == params.value("taux_patronal_defaut"):
        used.append("taux_patronal_defaut")
    if inp.qpv_zrr and not inp.private and inp.convention == "renouvellement_2023":
        used.append("date_zrr_frr")
    lines = []
    for param_id in dict.fromkeys(used):
        param = params[param_id]
        if param.uncertain and param.note:
            lines.append(f"⚠ {html.escape(param.label)} : {html.escape(param.note)}")
    national = params.territories.get("metropole")
    smic = params[inp.territory.smic_param]
    if national is not None and smic.id != national.smic_param and smic.note:
        lines.append(f"⚠ {html.escape(smic.label)} : {html.escape(smic.note)}")
    if not inp.territory.wages_known:
        lines.append("⚠ Aucune source ne donne de salaire minimum ni de cotisations pour ce "
                     f"territoire ({html.escape(inp.territory.name)}) : le calcul applique, "
                     "faute de mieux, le SMIC national et les cotisations patronales d'une "
                     "collectivité de métropole. Votre coût réel peut être très différent.")
    if inp.convention == "renouvellement_2023" and inp.territory.overseas:
        lines.append("⚠ Aucune majoration outre-mer n'est connue pour le renouvellement : "
                     "les montants nationaux sont appliqués (à confirmer).")
    if not lines:
        return ""
    return "<b>À confirmer</b>\n" + "\n".join(lines)


def sources_html(params: Parameters, result: Simulation) -> str:
    """The sources of every parameter the simulation used."""
    sources: list[str] = []
    for param_id in (*result.params_used, "taux_patronal_defaut", "cout_formation_moyen"):
        for source in params[param_id].sources:
            if source not in sources:
                sources.append(source)
    return f"<i>Sources : {html.escape(params.cite(tuple(sources)))}</i>"
