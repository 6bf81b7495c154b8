"""Documents of a funding simulation: one-page PDF, yearly chart, draft délibération.

Pure functions that return bytes; the engine attaches them to replies. Heavy libraries
(reportlab, matplotlib, python-docx) are imported inside the generators, not here, so that
importing this package costs nothing at start-up.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date

from bot.core import formatting
from bot.programme.dates import MONTHS_PER_YEAR, add_months
from bot.programme.flowrules import simulation_input
from bot.programme.params import Parameters
from bot.programme.rules import Simulation, simulate, training_paths

ASSISTANT_NAME = "Assistant Conseiller numérique France Services"
PDF_STEM = "simulation-conseiller-numerique"
CHART_STEM = "graphique-conseiller-numerique"
DELIBERATION_STEM = "modele-deliberation-conseiller-numerique"
_TAGS = re.compile(r"<[^>]+>")

# --- flow answers → typed inputs ----------------------------------------------------------

_INTS = ("postes", "duree")
_FLOATS = ("salaire", "taux_patronal")


def typed_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The simulation flow's saved answers (JSON) as typed values; typed values pass through."""
    typed = dict(answers)
    if isinstance(typed.get("debut"), str):
        typed["debut"] = dt.date.fromisoformat(typed["debut"])
    for name in _INTS:
        if name in typed:
            typed[name] = int(typed[name])
    for name in _FLOATS:
        if name in typed:
            typed[name] = float(typed[name])
    return typed


def simulation_from_answers(params: Parameters, answers: Mapping[str, Any]) -> Simulation:
    """The simulation of the rules for the flow's answers (saved JSON or typed)."""
    return simulate(params, simulation_input(params, typed_answers(answers)))


def is_public(answers: Mapping[str, Any]) -> bool:
    """Whether the answers describe a public structure (the only one a délibération fits)."""
    return answers.get("structure") == "public"


def filename(stem: str, today: dt.date, extension: str) -> str:
    """A dated file name: "simulation-conseiller-numerique-2021-03-16.pdf"."""
    return f"{stem}-{today.isoformat()}.{extension}"


# --- figures shared by the PDF and the chart ---------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Year:
    """One year of the contract (the last one may be shorter), amounts per post."""

    number: int
    start: dt.date
    end: dt.date
    months: int
    subsidy: float
    cost: float

    @property
    def remaining(self) -> float:
        return round(self.cost - self.subsidy, 2)


def contract_years(result: Simulation) -> tuple[Year, ...]:
    """The contract year by year: salary cost, and the subsidy as the rules split it.

    Renewal: the yearly payments of the rules. Initial convention: the split is not known,
    so the subsidy is spread over the contract's months (see `split_note`).
    """
    months = result.months
    known = {p.year: p.amount + p.bonus for p in result.payments}
    years = []
    spread = 0.0
    count = -(-len(months) // MONTHS_PER_YEAR)
    for number in range(1, count + 1):
        chunk = months[(number - 1) * MONTHS_PER_YEAR:number * MONTHS_PER_YEAR]
        if result.input.convention == "ami_2020":
            if number == count:  # the last year takes the rest: years add up to the total
                subsidy = round(result.subsidy - spread, 2)
            else:
                subsidy = round(result.subsidy * len(chunk) / len(months), 2)
            spread += subsidy
        else:
            subsidy = round(known.get(number, 0.0), 2)
        years.append(Year(number=number, start=chunk[0].start, end=chunk[-1].end,
                          months=len(chunk), subsidy=subsidy,
                          cost=round(sum(m.cost for m in chunk), 2)))
    return tuple(years)


def split_note(params: Parameters, result: Simulation) -> str:
    """How the yearly split of the subsidy is known (plain French, one sentence or two)."""
    if result.input.convention == "ami_2020":
        note = ("Répartition annuelle de la subvention inconnue (nombre, montants et calendrier "
                "des versements non connus) : elle est supposée au prorata des mois de contrat.")
    else:
        note = ("Subvention par année : une tranche par année de convention, déduction à "
                f"confirmer ({params['nombre_versements_v2'].format()} versements prévus).")
        if result.prorated:
            note += (" Contrat plus court que la convention : montants au prorata des mois "
                     "couverts.")
    if result.to_repay > 0:
        note += (" La subvention prévue dépasse le coût salarial justifié : "
                 f"{formatting.euros(result.total_to_repay)} seraient à reverser.")
    return note


def month_year(day: dt.date) -> str:
    """A short month and year: "mars 2021", "févr. 2022"."""
    return format_date(day, "MMM y", locale=formatting.LOCALE)


def year_label(year: Year) -> str:
    """ "Année 1 (mars 2021 – févr. 2022)"."""
    return f"Année {year.number} ({month_year(year.start)} – {month_year(year.end)})"


def contract_end(start: dt.date, months: int) -> dt.date:
    """The last day of a contract of `months` months from `start`."""
    return add_months(start, months) - dt.timedelta(days=1)


def describe_input(params: Parameters, result: Simulation) -> list[tuple[str, str]]:
    """The answers behind a simulation, as (label, French value) pairs."""
    inp = result.input
    if inp.convention == "ami_2020":
        convention = "Convention initiale (AMI 2020)"
    else:
        convention = "Renouvellement (2023), sur " + params["duree_convention_v2_mois"].format()
        if not inp.private:
            convention += ", en QPV ou ZRR" if inp.qpv_zrr else ", hors QPV et ZRR"
    return [
        ("Nombre de postes", formatting.quantity(inp.posts, "poste")),
        ("Territoire", inp.territory.name),
        ("Structure", "privée" if inp.private else "publique"),
        ("Convention", convention),
        ("Salaire brut", formatting.euros(inp.gross_salary) + " par mois, temps complet"),
        ("Cotisations patronales", formatting.percent(inp.employer_rate)),
        ("Contrat", f"du {formatting.date(inp.start)} au "
                    f"{formatting.date(contract_end(inp.start, inp.months))} "
                    f"({formatting.quantity(inp.months, 'mois', 'mois')})"),
    ]


def state_also_pays(params: Parameters, result: Simulation) -> str:
    """What the State pays besides the subsidy (figures from the parameters)."""
    paths = formatting.number(training_paths(params, result.input.posts))
    return (f"la formation (coût moyen retenu par l'ANCT : "
            f"{params['cout_formation_moyen'].format()} par parcours, jusqu'à {paths} parcours "
            f"par poste), la certification ({params['cout_certification'].format()}) et la "
            f"tenue ({params['cout_tenue'].format()}).")


NOT_COVERED = ("les déplacements (formation comprise) et la restauration, l'équipement "
               "(ordinateur, téléphone, véhicule si nécessaire), les locaux. Ils ne sont pas "
               "chiffrés ici.")


def plain_lines(text: str) -> list[str]:
    """The lines of an HTML text of the rules, as plain text (tags and ⚠ removed)."""
    lines = []
    for line in html.unescape(_TAGS.sub("", text)).splitlines():
        line = line.replace("⚠", "").strip()
        if line:
            lines.append(line)
    return lines


def training_param(params: Parameters, posts: int) -> str:
    """Id of the parameter giving the training paths per post for this number of posts."""
    threshold = int(params.value("seuil_postes_grande_structure"))
    return "parcours_formation_grande_structure" if posts >= threshold \
        else "parcours_formation_petite_structure"

