"""One-page PDF summary of a funding simulation (reportlab, standard Helvetica, A4)."""

# reportlab loads on the first PDF, not when the bot starts
# ruff: noqa: PLC0415

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

from bot.core import formatting
from bot.documents import (
    ASSISTANT_NAME,
    NOT_COVERED,
    contract_years,
    describe_input,
    plain_lines,
    split_note,
    state_also_pays,
    training_param,
    year_label,
)
from bot.programme.flowrules import months_html, payments_html, period_html, warnings_html
from bot.programme.params import Parameters
from bot.programme.rules import Simulation

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"
SIZES = (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0)  # tried in turn until the page holds everything
MARGIN_MM = 12
BLUE = "#000091"  # the French State's blue, for headings
GRID = "#b5b5b5"
SHADE = "#eeeef8"
TITLE = "Simulation du financement : conseiller numérique France Services"
FOOTER = (
    "Estimation indicative établie par l'{name} à partir des paramètres publics cités "
    "ci-dessus. Ce document n'est pas une décision de l'État et ne l'engage pas : les montants "
    "versés sont ceux de votre convention de subvention."
)


class PageOverflow(RuntimeError):
    """The simulation does not fit one A4 page even at the smallest font size."""


def simulation_pdf(result: Simulation, params: Parameters, *, today: dt.date) -> bytes:
    """A one-page A4 PDF in French: answers, figures per post and in total, sources."""
    pages = 0
    for size in SIZES:
        data, pages = _Page(result, params, today, size).render()
        if pages == 1:
            return data
    raise PageOverflow(f"the simulation needs {pages} pages at {SIZES[-1]} pt")


def winansi(text: str) -> str:
    """Text the standard PDF fonts can draw (WinAnsi): é, €, « » stay; ⚠ and the like go."""
    text = text.replace("\u202f", "\u00a0").replace("• ", "– ")
    return text.encode("cp1252", errors="ignore").decode("cp1252")


class _Page:
    """The page's flowables at one font size."""

    def __init__(self, result: Simulation, params: Parameters, today: dt.date,
                 size: float) -> None:
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm

        self.result, self.params, self.today = result, params, today
        self.colors, self.mm, self.pagesize = colors, mm, A4
        self.width = A4[0] - 2 * MARGIN_MM * mm
        self.posts = formatting.quantity(result.input.posts, "poste")
        self.body = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=size * 1.22)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=size - 0.5,
                                    leading=(size - 0.5) * 1.2)
        self.note = ParagraphStyle("note", parent=self.small, fontName=ITALIC)
        self.right = ParagraphStyle("right", parent=self.body, alignment=TA_RIGHT)
        self.heading = ParagraphStyle(
            "heading", parent=self.body, fontName=BOLD, fontSize=size + 1.5,
            leading=(size + 1.5) * 1.2, spaceBefore=size * 0.55, spaceAfter=size * 0.2,
            textColor=colors.HexColor(BLUE))
        self.title = ParagraphStyle("title", parent=self.body, fontName=BOLD,
                                    fontSize=size + 6, leading=(size + 6) * 1.2,
                                    textColor=colors.HexColor(BLUE))

    # --- building blocks ------------------------------------------------------------------

    def p(self, text: str, style: Any = None, *, bold: bool = False) -> Any:
        """A paragraph of plain text (escaped, WinAnsi-safe)."""
        from reportlab.platypus import Paragraph

        markup = escape(winansi(text))
        return Paragraph(f"<b>{markup}</b>" if bold else markup, style or self.body)

    def amount(self, value: float, *, bold: bool = False) -> Any:
        return self.p(formatting.euros(value), self.right, bold=bold)

    def table(self, rows: list[list[Any]], widths: list[float], *, header: bool = True,
              extra: tuple[Any, ...] = ()) -> Any:
        from reportlab.platypus import Table, TableStyle

        made = Table(rows, colWidths=[w * self.width for w in widths], hAlign="LEFT")
        style = [*extra, ("GRID", (0, 0), (-1, -1), 0.4, self.colors.HexColor(GRID)),
                 ("VALIGN", (0, 0), (-1, -1), "TOP"),
                 ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8)]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), self.colors.HexColor(SHADE)))
        made.setStyle(TableStyle(style))
        return made

    # --- sections ---------------------------------------------------------------------------

    def header(self) -> list[Any]:
        inp = self.result.input
        return [self.p(TITLE, self.title),
                self.p(f"Simulation établie le {formatting.date(self.today)} · {self.posts} · "
                       f"{inp.territory.name}", bold=True)]

    def answers(self) -> list[Any]:
        from reportlab.platypus import Paragraph

        cells = [Paragraph(f"<b>{escape(winansi(label))}</b> : {escape(winansi(value))}",
                           self.small)
                 for label, value in describe_input(self.params, self.result)]
        rows = [cells[index:index + 2] for index in range(0, len(cells), 2)]
        last = len(rows) - 1
        spans: tuple[Any, ...] = ()
        if len(rows[last]) == 1:
            rows[last].append("")
            spans = (("SPAN", (0, last), (1, last)),)
        return [self.p("Vos réponses", self.heading),
                self.table(rows, [0.5, 0.5], header=False, extra=spans)]

    def figures(self) -> list[Any]:
        result, p, amount = self.result, self.p, self.amount
        duration = formatting.quantity(result.input.months, "mois", "mois")
        rows = [[p(""), p("Par poste", self.right, bold=True),
                 p(f"Total ({self.posts})", self.right, bold=True)],
                [p("Subvention de l'État", bold=True), amount(result.subsidy),
                 amount(result.total_subsidy, bold=True)],
                [p(f"Coût salarial employeur sur {duration} (brut et cotisations patronales)"),
                 amount(result.cost), amount(result.total_cost)],
                [p("Reste à votre charge pour les salaires", bold=True),
                 amount(result.remaining), amount(result.total_remaining, bold=True)]]
        if result.to_repay > 0:
            rows.append([p("Subvention prévue au-delà du coût justifié, à reverser"),
                         amount(result.to_repay), amount(result.total_to_repay)])
        return [p("Résultat", self.heading), self.table(rows, [0.56, 0.22, 0.22])]

    def years(self) -> list[Any]:
        p, amount, posts = self.p, self.amount, self.result.input.posts
        title = "Par année de contrat" + (f" (total des {self.posts})" if posts > 1 else "")
        rows = [[p("Période", bold=True), p("Subvention de l'État", self.right, bold=True),
                 p("Coût salarial", self.right, bold=True),
                 p("Reste à charge", self.right, bold=True)]]
        for year in contract_years(self.result):
            rows.append([p(year_label(year)), amount(year.subsidy * posts),
                         amount(year.cost * posts), amount(year.remaining * posts)])
        return [p(title, self.heading), self.table(rows, [0.4, 0.2, 0.2, 0.2]),
                p(split_note(self.params, self.result), self.note)]

    def details(self) -> list[Any]:
        lines = plain_lines(payments_html(self.params, self.result)) + \
            plain_lines(months_html(self.result))
        return [self.p("Répartition dans le temps et salaire mois par mois (par poste)",
                       self.heading), *(self.p(line, self.small) for line in lines)]

    def beyond(self) -> list[Any]:
        return [self.p("Ce que l'État paie aussi, et ce qu'il ne paie pas", self.heading),
                self.p("En plus de la subvention, l'État paie "
                       + state_also_pays(self.params, self.result), self.small),
                self.p("Restent à votre charge, en plus des salaires : " + NOT_COVERED,
                       self.small)]

    def doubts(self) -> list[Any]:
        doubts = [f"– {line}" for line in plain_lines(period_html(self.params, self.result))
                  + plain_lines(warnings_html(self.params, self.result))
                  if line != "À confirmer"] or ["Aucun paramètre incertain dans ce calcul."]
        return [self.p("Points incertains", self.heading),
                *(self.p(line, self.small) for line in doubts)]

    def sources(self) -> list[Any]:
        p, small, params = self.p, self.small, self.params
        rows = [[p("Paramètre", small, bold=True), p("Valeur", small, bold=True),
                 p("Sources", small, bold=True)]]
        numbers: dict[str, int] = {}
        for param_id in cited(params, self.result):
            param = params[param_id]
            value = smic_range(self.result) \
                if param_id == self.result.input.territory.smic_param else param.format()
            if param.uncertain:
                value += " (à confirmer)"
            refs = [numbers.setdefault(source, len(numbers) + 1) for source in param.sources]
            rows.append([p(param.label, small), p(value, small), p(ranges(refs), small)])
        listed = " ; ".join(f"{number}. {params.sources[source].short}"
                            for source, number in numbers.items())
        return [p("Paramètres utilisés et leurs sources", self.heading),
                self.table(rows, [0.6, 0.28, 0.12]), p("Sources : " + listed, self.small)]

    # --- the document ------------------------------------------------------------------------

    def render(self) -> tuple[bytes, int]:
        """The PDF and its number of pages."""
        from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

        story = [*self.header(), *self.answers(), *self.figures(), *self.years(),
                 *self.details(), *self.beyond(), *self.doubts(), *self.sources()]
        margin = MARGIN_MM * self.mm
        footer = self.p(FOOTER.format(name=ASSISTANT_NAME), self.note)
        pages = 0

        def on_page(canvas: Any, doc: Any) -> None:
            nonlocal pages
            pages += 1
            _, height = footer.wrap(self.width, margin)
            footer.drawOn(canvas, margin, margin - height - 2 * self.mm)

        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer, pagesize=self.pagesize, leftMargin=margin, rightMargin=margin,
            topMargin=margin, bottomMargin=margin, invariant=True, lang="fr-FR",
            title=TITLE, author=ASSISTANT_NAME, creator=ASSISTANT_NAME,
            subject=f"Simulation établie le {formatting.date(self.today)}")
        frame = Frame(margin, margin, self.width, self.pagesize[1] - 2 * margin,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate(frames=[frame], onPage=on_page)])
        doc.build(story)
        return buffer.getvalue(), pages


def cited(params: Parameters, result: Simulation) -> list[str]:
    """Parameters behind the figures: those the rules used, then what the State also pays."""
    inp = result.input
    ids = list(result.params_used)
    if inp.employer_rate == params.value("taux_patronal_defaut"):
        ids.append("taux_patronal_defaut")
    ids += [training_param(params, inp.posts), "cout_formation_moyen", "cout_certification",
            "cout_tenue"]
    return list(dict.fromkeys(ids))


def ranges(numbers: list[int]) -> str:
    """Source numbers, runs shortened: [1, 2, 3, 5] → "1-3, 5"."""
    parts: list[str] = []
    for number in sorted(set(numbers)):
        if parts and number == int(parts[-1].rsplit("-", 1)[-1]) + 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{number}"
        else:
            parts.append(str(number))
    return ", ".join(parts)


def smic_range(result: Simulation) -> str:
    """The SMIC met during the contract: "1 554,58 €" or "de 1 554,58 € à 1 709,28 €…"."""
    low = min(m.smic for m in result.months)
    high = max(m.smic for m in result.months)
    if low == high:
        return formatting.euros(low)
    return f"de {formatting.euros(low)} à {formatting.euros(high)} selon le mois"
