"""Draft délibération creating the post(s) in a contrat de projet (.docx, python-docx).

Only references a cited public source supports: the contrat de projet's durations
(service-public.fr F35145), the recruitment validated like any agent's (official FAQ),
full time (official FAQ), the missions (circulaire of January 2021). The statutory basis and
the other visas are left for the collectivité to fill in: "[référence à compléter]".
"""

# python-docx loads on the first délibération, not when the bot starts
# ruff: noqa: PLC0415

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

from babel.dates import format_date

from bot.core import formatting
from bot.documents import (
    ASSISTANT_NAME,
    contract_end,
    is_public,
    simulation_from_answers,
    typed_answers,
)
from bot.programme.params import Parameters
from bot.programme.rules import Simulation

BANNER = ("Modèle à adapter — à faire relire par votre service juridique ou votre centre de "
          "gestion")
HEADER = "Modèle à adapter — document de travail, pas un acte"
PLACEHOLDER = re.compile(r"(\[[^\]]+\])")
RED = (0xC9, 0x19, 0x1E)
# Sources behind the wording of the model (ids of knowledge/sources.yaml)
SOURCES = ("faq-structure-publique", "faq-subvention-contrats", "service-public-contrat-projet",
           "faq-activite", "circulaire-2021", "anct-espace-structure")


def deliberation_docx(answers: Mapping[str, Any], params: Parameters, *, today: dt.date,
                      collectivite: str | None = None) -> bytes:
    """A .docx draft délibération filled with the simulation's answers, marked as a model."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    if not is_public(answers):
        raise ValueError("a délibération creating posts concerns a public structure")
    result = simulation_from_answers(params, typed_answers(answers))
    document = Document()
    _french(document, today)
    writer = _Writer(document)

    banner = writer.para(BANNER, bold=True, color=RED, size=12, highlight=True)
    banner.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.sections[0].header.paragraphs[0].text = HEADER

    for paragraph in _heading(collectivite):
        writer.para(paragraph, bold=True).alignment = WD_ALIGN_PARAGRAPH.CENTER
    writer.para(_object(result), bold=True)
    writer.para("[Le conseil municipal], sur le rapport de [nom et qualité du rapporteur],")
    for line in _visas():
        writer.para(line)
    for line in _whereas(params, result, today):
        writer.para(line)
    writer.para("Après en avoir délibéré, [le conseil municipal] décide :", bold=True)
    for title, text in _articles(result):
        writer.para(title, bold=True, space_after=2)
        writer.para(text)
    for line in ("Fait et délibéré à [lieu], le [date de la séance].",
                 "[Le maire / La présidente / Le président]", "[signature et cachet]"):
        writer.para(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT

    document.add_page_break()
    writer.para("Notes pour adapter ce modèle (à retirer avant la séance)", bold=True, size=12)
    for note in _notes(params, result, today):
        writer.para(note, style="List Bullet")
    writer.para("Sources", bold=True)
    for source_id in SOURCES:
        source = params.sources[source_id]
        where = f" ({source.url})" if source.url else ""
        writer.para(f"{source.short} : {source.title}{where}", style="List Bullet", size=9)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def long_date(day: dt.date) -> str:
    """A date as written in an act: "1er mars 2021", "16 mars 2021"."""
    pattern = "d'er' MMMM y" if day.day == 1 else "d MMMM y"
    return format_date(day, pattern, locale=formatting.LOCALE)


def _jobs(result: Simulation) -> str:
    """ "1 emploi non permanent", "3 emplois non permanents"."""
    posts = result.input.posts
    return formatting.quantity(posts, "emploi") + " non permanent" + ("s" if posts > 1 else "")


def _convention(result: Simulation) -> str:
    if result.input.convention == "ami_2020":
        return "convention initiale de 2020"
    return "convention de renouvellement de 2023"


def _heading(collectivite: str | None) -> list[str]:
    return [collectivite or "[nom de la collectivité]",
            "Extrait du registre des délibérations [du conseil municipal]",
            "Séance du [date de la séance]",
            "Membres en exercice : [nombre] — présents : [nombre] — votants : [nombre]"]


def _object(result: Simulation) -> str:
    return (f"Objet : création de {_jobs(result)} de conseiller numérique France Services, "
            "en contrat de projet")


def _visas() -> list[str]:
    return [
        "Vu [référence à compléter : texte qui fonde le recours au contrat de projet dans la "
        "fonction publique territoriale] ;",
        "Vu [la décision d'attribution du ou des postes et la convention de subvention du "
        "dispositif Conseiller numérique France Services : références et dates à compléter] ;",
        "Vu [les autres textes et avis requis : à compléter par votre service juridique ou "
        "votre centre de gestion] ;",
    ]


def _whereas(params: Parameters, result: Simulation, today: dt.date) -> list[str]:
    inp = result.input
    low, high = params["contrat_projet_duree_min_mois"], params["contrat_projet_duree_max_mois"]
    duration = formatting.quantity(inp.months, "mois", "mois")
    return [
        "Considérant que la collectivité participe au dispositif Conseiller numérique France "
        "Services, qui finance des conseillers numériques chargés de soutenir les habitants "
        "dans leurs usages quotidiens du numérique, de les sensibiliser aux enjeux du "
        "numérique et de les rendre autonomes pour réaliser des démarches administratives en "
        "ligne ;",
        "Considérant que le conseiller numérique est un agent de la collectivité pour une durée "
        "déterminée, dont le recrutement se valide selon les mêmes modalités que celui de tout "
        "agent, et qu'il exerce ses missions à temps plein ;",
        "Considérant que le contrat de projet permet de recruter un agent contractuel sur un "
        f"emploi non permanent, pour une durée d'au moins {low.format()} et d'au plus "
        f"{high.format()}, renouvellements compris ;",
        f"Considérant que, selon une estimation établie le {long_date(today)} pour "
        f"{formatting.quantity(inp.posts, 'poste')} (territoire : {inp.territory.name} ; "
        f"{_convention(result)}), la subvention de l'État s'élèverait à "
        f"{formatting.euros(result.total_subsidy)} et le coût salarial employeur à "
        f"{formatting.euros(result.total_cost)} sur {duration}, soit "
        f"{formatting.euros(result.total_remaining)} à la charge de la collectivité pour les "
        "salaires [montants à vérifier et à reprendre de la convention de subvention] ;",
    ]


def _articles(result: Simulation) -> list[tuple[str, str]]:
    inp = result.input
    end = contract_end(inp.start, inp.months)
    several = inp.posts > 1
    contracts = "Les contrats sont conclus" if several else "Le contrat est conclu"
    return [
        ("Article 1 — Création", f"De créer {_jobs(result)} de conseiller numérique France "
         "Services, à temps complet, pour mener à bien le projet décrit à l'article 2, "
         "en contrat de projet."),
        ("Article 2 — Projet", "Le projet consiste à accompagner les habitants dans leurs "
         "usages du numérique, dans le cadre du dispositif Conseiller numérique France "
         "Services [description du projet et résultats attendus à préciser]."),
        ("Article 3 — Durée", f"{contracts} pour une durée de "
         f"{formatting.quantity(inp.months, 'mois', 'mois')}, à compter du "
         f"{long_date(inp.start)}, soit jusqu'au {long_date(end)} [à ajuster à la date "
         "effective du recrutement]."),
        ("Article 4 — Rémunération", "La rémunération est fixée sur la base d'un salaire brut "
         f"mensuel de {formatting.euros(inp.gross_salary)} pour un temps complet [grade ou "
         "indice de référence à préciser] ; elle ne peut être inférieure au SMIC en vigueur."),
        ("Article 5 — Signature", "D'autoriser [le maire / la présidente / le président] à "
         "solliciter la subvention de l'État, à signer la convention de subvention, "
         f"{'les contrats' if several else 'le contrat'} de travail et tout document relatif "
         "à ce dossier."),
        ("Article 6 — Budget", "Les crédits nécessaires sont inscrits au budget [exercices à "
         "préciser]. Le tableau des emplois est modifié en conséquence."),
    ]


def _notes(params: Parameters, result: Simulation, today: dt.date) -> list[str]:
    inp = result.input
    low, high = params["contrat_projet_duree_min_mois"], params["contrat_projet_duree_max_mois"]
    duration = formatting.quantity(inp.months, "mois", "mois")
    notes = [
        f"Modèle établi le {long_date(today)} par l'{ASSISTANT_NAME}, à partir de votre "
        f"simulation : {formatting.quantity(inp.posts, 'poste')}, {inp.territory.name}, "
        f"{_convention(result)}, début le {long_date(inp.start)}, {duration}, salaire brut "
        f"mensuel de {formatting.euros(inp.gross_salary)}.",
        "Complétez tout ce qui est entre crochets. Les visas ne citent aucun article : ce "
        "modèle ne reprend que des références vérifiées et laisse à votre service juridique ou "
        "à votre centre de gestion le soin de citer les textes applicables.",
        "L'ANCT fournissait aux structures un modèle de délibération « contrat de projet » "
        "dans leur espace structure : comparez-le à ce modèle si vous l'avez.",
        "Les montants sont des estimations de l'assistant, pas une décision de l'État : "
        "reprenez ceux de votre convention de subvention.",
    ]
    if not float(low.value) <= inp.months <= float(high.value):
        notes.insert(0, (
            f"Attention : un contrat de projet dure de {low.format()} à {high.format()} "
            f"(renouvellements compris) ; la durée simulée ({duration}) n'entre pas dans ces "
            "limites. Allongez la durée ou choisissez un autre contrat admis par le dispositif "
            "(CDD ou CDI de droit public, ou un agent titulaire)."))
    return notes


def _french(document: Any, today: dt.date) -> None:
    """French language for spelling and hyphenation; metadata without the machine's clock."""
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "fr-FR")
    moment = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
    properties = document.core_properties
    properties.title = "Modèle de délibération : conseiller numérique France Services"
    properties.subject = BANNER
    properties.author = properties.last_modified_by = ASSISTANT_NAME
    properties.language = "fr-FR"
    properties.created = properties.modified = moment
    properties.revision = 1


class _Writer:
    """Adds paragraphs; bracketed placeholders are highlighted so nobody misses them."""

    def __init__(self, document: Any) -> None:
        self.document = document

    def para(self, text: str, *, bold: bool = False, size: float | None = None,
             color: tuple[int, int, int] | None = None, highlight: bool = False,
             style: str | None = None, space_after: float | None = None) -> Any:
        from docx.enum.text import WD_COLOR_INDEX
        from docx.shared import Pt, RGBColor

        paragraph = self.document.add_paragraph(style=style)
        for part in PLACEHOLDER.split(text):
            if not part:
                continue
            run = paragraph.add_run(part)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
            if color:
                run.font.color.rgb = RGBColor(*color)
            if highlight or PLACEHOLDER.fullmatch(part):
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if space_after is not None:
            paragraph.paragraph_format.space_after = Pt(space_after)
        return paragraph
