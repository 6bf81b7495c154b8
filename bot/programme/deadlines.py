"""Deadlines that follow a recruitment milestone, computed from knowledge/parametres.yaml.

Pure: no clock, no I/O. The figures (15 jours, 24 mois…) are parameters; this module only
names them, in the declarative table `RULES`.

Date arithmetic follows the way French law counts délais (art. 641 of the Code de procédure
civile): a délai of N days runs from the day after the event, so it ends on event + N days;
a délai of N months ends on the same day-of-month N months later, or on the last day of
that month when it has no such day (31 January + 1 month = 28 or 29 February). A deadline
that falls on a weekend or a public holiday is kept as it is (not moved to the next working
day; only its reminders move, see bot/programme/reminder_policy.py): these are
commitments towards the State, and telling the earlier date is the safe side. A period of N
months (the subsidised period, the convention) is not a délai: it ends the day before the
same date N months later (24 months from 1 April 2021 end on 31 March 2023).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from bot.core import formatting
from bot.programme.dates import add_months
from bot.programme.params import Parameter, Parameters

MilestoneKind = Literal[
    "candidat_presente", "candidat_selectionne", "contrat_signe", "debut_contrat",
    "prise_de_poste", "fin_formation", "depart_conseiller",
]
SECONDARY = "CONFIRMÉ (secondaire)"


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneInfo:
    """How a milestone is named to users."""

    label: str       # "Candidat sélectionné"
    question: str    # what the flow asks for
    sentence: str    # "{date}" is the milestone date, formatted


MILESTONES: dict[str, MilestoneInfo] = {
    "candidat_presente": MilestoneInfo(
        label="Candidat présenté",
        question="À quelle date un candidat vous a-t-il été présenté sur la plateforme ?",
        sentence="Candidat présenté le {date}."),
    "candidat_selectionne": MilestoneInfo(
        label="Candidat sélectionné",
        question="À quelle date avez-vous sélectionné le candidat ?",
        sentence="Candidat sélectionné le {date}."),
    "contrat_signe": MilestoneInfo(
        label="Contrat signé",
        question="À quelle date le contrat de travail a-t-il été signé ?",
        sentence="Contrat de travail signé le {date}."),
    "debut_contrat": MilestoneInfo(
        label="Début du contrat",
        question="À quelle date le contrat de travail du conseiller a-t-il commencé ?",
        sentence="Contrat de travail commencé le {date}."),
    "prise_de_poste": MilestoneInfo(
        label="Prise de poste",
        question="À quelle date le conseiller a-t-il pris son poste ?",
        sentence="Prise de poste le {date}."),
    "fin_formation": MilestoneInfo(
        label="Sortie de formation",
        question="À quelle date le conseiller est-il sorti de sa formation initiale ?",
        sentence="Sortie de formation le {date}."),
    "depart_conseiller": MilestoneInfo(
        label="Départ du conseiller",
        question="À quelle date le conseiller a-t-il quitté son poste (fin de son contrat) ?",
        sentence="Départ du conseiller (fin de contrat) le {date}."),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Regime:
    """One rule for a délai: its parameter, from when it applies, and how it is explained."""

    param: str                  # a parameter in jours or mois
    since: str | None = None    # a parameter of unit date: the regime applies from that day
    explain: str                # template, see `Rule`
    doubtful: bool = False      # the sources give this délai for only some of the cases


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A deadline that follows a milestone.

    Templates may use {jalon} (milestone date), {delai} (the délai, "15 jours"), {echeance}
    (the deadline), {alternative} (the deadline under `alternative`), and any parameter id
    ({date_regles_2025} → "mercredi 14 mai 2025", {delai_remplacement_mois} → "6 mois").
    """

    kind: str
    label: str                          # short, for lists and calendars
    sentence: str                       # completes "Rappel : …"; {echeance} is the date
    regimes: tuple[Regime, ...]         # sorted by `since`; the first one has since=None
    alternative: str | None = None      # another source's délai, said in the explanation
    indicative: bool = False            # the real date is in the convention
    period: bool = False                # a period of N months: it ends the day before
    end_of_funding: str | None = None   # parameter (annee): warn when the date is that late


# Where the subsidised period is counted from: the contract start (the conseiller is paid
# during the training that comes before taking the post).
FROM_CONTRACT = ("Cette durée se compte depuis le début du contrat de travail : le conseiller "
                 "est déjà payé pendant sa formation, avant sa prise de poste.")
FROM_POST = ("Calcul fait depuis la date de prise de poste que vous avez donnée, comme si le "
             "contrat avait commencé ce jour-là. Cette durée se compte en principe depuis le "
             "début du contrat de travail (le conseiller est payé pendant sa formation, avant "
             "sa prise de poste) : si votre contrat a commencé plus tôt, cette date arrive "
             "plus tôt d'autant. Pour un calcul exact, choisissez « Le contrat de travail a "
             "commencé ».")


def funding_rules(counted_from: str) -> tuple[Rule, ...]:
    """End of the subsidised period and of the initial convention, from a start date."""
    return (
        Rule(kind="fin_subvention", label="Fin de la période subventionnée",
             sentence="la période subventionnée de la convention initiale prend fin "
                      "le {echeance}",
             regimes=(Regime(
                 param="duree_subvention_public_mois",
                 explain="Pour une structure publique, la subvention de la convention "
                         "initiale couvre {delai} (structure privée : "
                         "{duree_subvention_prive_mois}). " + counted_from),),
             indicative=True, period=True, end_of_funding="annee_fin_financement"),
        Rule(kind="fin_convention", label="Fin de la convention",
             sentence="la convention initiale avec l'État prend fin au plus tard "
                      "le {echeance}",
             regimes=(Regime(
                 param="duree_convention_max_mois",
                 explain="La convention initiale avec l'État dure {delai} au plus. "
                         + counted_from),),
             indicative=True, period=True, end_of_funding="annee_fin_financement"),
    )


RULES: dict[str, tuple[Rule, ...]] = {
    "candidat_presente": (
        Rule(kind="selection", label="Sélection du candidat",
             sentence="la sélection du candidat présenté doit intervenir au plus tard "
                      "le {echeance}",
             regimes=(Regime(
                 param="delai_selection_jours",
                 explain="L'AMI demande de sélectionner le candidat dans les {delai} qui "
                         "suivent sa présentation sur la plateforme. Le formulaire de "
                         "candidature des structures donnait un délai maximum de "
                         "{delai_selection_formulaire_mois}, soit au plus tard le "
                         "{alternative} : les deux sources divergent."),),
             alternative="delai_selection_formulaire_mois"),
    ),
    "candidat_selectionne": (
        Rule(kind="signature", label="Signature du contrat de travail",
             sentence="la signature du contrat de travail doit intervenir au plus tard "
                      "le {echeance}",
             regimes=(Regime(
                 param="delai_signature_jours",
                 explain="Votre structure s'est engagée à signer le contrat de travail dans "
                         "les {delai} qui suivent la sélection du candidat."),)),
    ),
    "contrat_signe": (
        Rule(kind="depart_formation", label="Départ du conseiller en formation",
             sentence="le conseiller doit partir en formation au plus tard le {echeance}",
             regimes=(Regime(
                 param="delai_depart_formation_jours",
                 explain="Votre structure s'est engagée à laisser partir le conseiller en "
                         "formation dans un délai de {delai} maximum après la signature de "
                         "son contrat de travail."),)),
    ),
    "debut_contrat": funding_rules(FROM_CONTRACT),
    "prise_de_poste": funding_rules(FROM_POST),
    "fin_formation": (
        Rule(kind="certification", label="Examens de certification",
             sentence="le conseiller doit s'être présenté aux examens de certification "
                      "(CCP1 et Pix) au plus tard le {echeance}",
             regimes=(Regime(
                 param="delai_certification_mois",
                 explain="Le conseiller doit se présenter aux examens de certification dans "
                         "les {delai} qui suivent sa sortie de formation ; la présentation "
                         "est obligatoire, un échec ne remet en cause ni le contrat ni la "
                         "convention."),)),
    ),
    "depart_conseiller": (
        Rule(kind="remplacement", label="Remplacement du conseiller",
             sentence="le conseiller doit être remplacé au plus tard le {echeance}",
             regimes=(
                 Regime(
                     param="delai_remplacement_2023_mois",
                     explain="Règle appliquée : avant les règles de gestion du "
                             "{date_regles_2025}, la seule règle connue est celle annoncée "
                             "pour le renouvellement des conventions (source "
                             "secondaire) : remplacer le conseiller dans les {delai} suivant "
                             "la fin du contrat précédent. Aucune source ne donne de délai de "
                             "remplacement pour la convention initiale : si votre poste en "
                             "relevait, ce délai est à vérifier. Pour les départs à partir du "
                             "{date_regles_2025}, le délai est de {delai_remplacement_mois}.",
                     doubtful=True),
                 Regime(
                     param="delai_remplacement_mois",
                     since="date_regles_2025",
                     explain="Selon les règles de gestion du {date_regles_2025}, un poste "
                             "vacant depuis plus de {delai} doit être rendu à l'État."),
             )),
    ),
}

INDICATIVE = "Date indicative : la date qui fait foi est celle de votre convention."
END_OF_FUNDING = ("L'État a annoncé qu'il cesserait de financer le dispositif à compter de "
                  "{annee} (annonce des documents budgétaires, à confirmer).")
UNCERTAIN = "Délai incertain : par prudence, retenez la date la plus proche."


@dataclass(frozen=True, slots=True, kw_only=True)
class Milestone:
    """A step of the recruitment and the day it happened."""

    kind: MilestoneKind
    date: dt.date

    def __post_init__(self) -> None:
        if self.kind not in MILESTONES:
            raise ValueError(f"unknown milestone kind {self.kind!r}")

    @property
    def label(self) -> str:
        return MILESTONES[self.kind].label


@dataclass(frozen=True, slots=True, kw_only=True)
class Deadline:
    """A deadline that follows a milestone, with why and where it comes from."""

    kind: str                   # "signature"
    milestone: Milestone
    date: dt.date
    label: str                  # "Signature du contrat de travail"
    sentence: str               # "la signature … au plus tard le mardi 16 mars 2021"
    explanation: str            # plain text (not HTML)
    parameter: str              # the parameter that gave the délai
    sources: tuple[str, ...]    # source ids
    citation: str               # short labels of the sources, for users
    uncertain: bool


def add_days(day: dt.date, days: int) -> dt.date:
    """`day` plus a number of days."""
    return day + dt.timedelta(days=days)


def shift(day: dt.date, param: Parameter, value: float | int | dt.date) -> dt.date:
    """`day` moved by a parameter's délai, in its unit (jours or mois)."""
    if isinstance(value, dt.date) or float(value) != int(value):
        raise ValueError(f"parameter {param.id}: délai {value!r} is not a whole number")
    match param.unit:
        case "jours":
            return add_days(day, int(value))
        case "mois":
            return add_months(day, int(value))
        case _:
            raise ValueError(f"parameter {param.id}: unit {param.unit!r} is not a délai")


def regime_for(rule: Rule, day: dt.date, params: Parameters) -> Regime:
    """The regime in force on `day`: the last one whose start date is on or before it."""
    chosen = rule.regimes[0]
    for regime in rule.regimes[1:]:
        start = params.value(regime.since) if regime.since else None
        if not isinstance(start, dt.date):
            raise ValueError(f"rule {rule.kind}: {regime.since} is not a date parameter")
        if start <= day:
            chosen = regime
    return chosen


class _Placeholders(Mapping[str, str]):
    """Template values: fixed ones first, then any parameter id, formatted the French way."""

    def __init__(self, fixed: dict[str, str], params: Parameters, day: dt.date) -> None:
        self._fixed, self._params, self._day = fixed, params, day

    def __getitem__(self, key: str) -> str:
        if key in self._fixed:
            return self._fixed[key]
        if key in self._params:
            param = self._params[key]
            return param.format(param.value_at(self._day))
        raise KeyError(key)

    def __iter__(self):  # pragma: no cover - format_map only uses __getitem__
        return iter(self._fixed)

    def __len__(self) -> int:  # pragma: no cover
        return len(self._fixed)


def deadlines_for(milestone: Milestone, params: Parameters) -> tuple[Deadline, ...]:
    """The deadlines that follow a milestone, in the order of `RULES`."""
    return tuple(_deadline(rule, milestone, params) for rule in RULES[milestone.kind])


def _deadline(rule: Rule, milestone: Milestone, params: Parameters) -> Deadline:
    regime = regime_for(rule, milestone.date, params)
    param = params[regime.param]
    value = param.value_at(milestone.date)
    due = shift(milestone.date, param, value)
    if rule.period:  # 24 months from 1 April 2021 cover up to 31 March 2023
        due -= dt.timedelta(days=1)
    fixed = {"jalon": formatting.date(milestone.date), "delai": param.format(value),
             "echeance": formatting.date(due)}
    used = [param]
    if rule.alternative:
        other = params[rule.alternative]
        fixed["alternative"] = formatting.date(
            shift(milestone.date, other, other.value_at(milestone.date)))
        used.append(other)
    values = _Placeholders(fixed, params, milestone.date)
    parts = [MILESTONES[milestone.kind].sentence.format(date=fixed["jalon"]),
             regime.explain.format_map(values)]
    if rule.indicative:
        parts.append(INDICATIVE)
    if rule.end_of_funding:
        end = params[rule.end_of_funding]
        if due.year >= int(end.value):  # type: ignore[arg-type]
            parts.append(END_OF_FUNDING.format(annee=end.value))
            used.append(end)
    uncertain = param.uncertain or regime.doubtful
    if uncertain:
        parts.append(UNCERTAIN)
    sources = tuple(dict.fromkeys(s for p in used for s in p.sources))
    return Deadline(
        kind=rule.kind, milestone=milestone, date=due, label=rule.label,
        sentence=rule.sentence.format_map(values), explanation=" ".join(parts),
        parameter=param.id, sources=sources, citation=params.cite(sources),
        uncertain=uncertain)


def describe(deadline: Deadline) -> str:
    """A deadline for a chat reply (HTML-safe): the sentence, why, and its source."""
    head = deadline.sentence[0].upper() + deadline.sentence[1:]
    return (f"<b>{html.escape(head, quote=False)}</b>.\n"
            f"{html.escape(deadline.explanation, quote=False)}\n"
            f"<i>Source : {html.escape(deadline.citation, quote=False)}</i>")
