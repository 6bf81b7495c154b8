"""PNG chart of a funding simulation: per contract year, subsidy, salary cost, what remains."""

# matplotlib loads on the first chart, not when the bot starts (and never pyplot: no display)
# ruff: noqa: PLC0415

from __future__ import annotations

import io
import textwrap
import threading

from bot.core import formatting
from bot.documents import ASSISTANT_NAME, contract_years, month_year, split_note, year_label
from bot.programme.params import Parameters
from bot.programme.rules import Simulation

WIDTH_PX = 1200
HEIGHT_PX = 800
DPI = 100
FONT = "DejaVu Sans"  # shipped with matplotlib: same glyphs (é, €) on every machine
SERIES = (  # (label, colour): the State's blue, a neutral grey, the State's red
    ("Subvention de l'État", "#000091"),
    ("Coût salarial employeur", "#929292"),
    ("Reste à votre charge", "#e1000f"),
)
BAR_WIDTH = 0.26
STYLE = {"font.family": FONT, "font.size": 12, "axes.spines.top": False,
         "axes.spines.right": False}
# rc_context changes matplotlib's global settings: one chart at a time, even from threads
_LOCK = threading.Lock()


def simulation_chart(result: Simulation, params: Parameters) -> bytes:
    """A 1200×800 PNG: per contract year, the State subsidy, the salary cost and the rest."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    inp = result.input
    years = contract_years(result)
    values = [[y.subsidy * inp.posts for y in years], [y.cost * inp.posts for y in years],
              [y.remaining * inp.posts for y in years]]
    posts = formatting.quantity(inp.posts, "poste")
    with _LOCK, rc_context(STYLE):
        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        figure.subplots_adjust(left=0.11, right=0.98, top=0.80, bottom=0.25)
        axes = figure.add_subplot()
        assumed = inp.convention == "ami_2020"  # the rules do not know the yearly split
        for index, ((label, colour), series) in enumerate(zip(SERIES, values, strict=True)):
            positions = [x + (index - 1) * BAR_WIDTH for x in range(len(years))]
            hatch = "//" if assumed and index == 0 else None
            if hatch:
                label += " (répartition supposée)"
            bars = axes.bar(positions, series, BAR_WIDTH * 0.94, label=label, color=colour,
                            hatch=hatch, edgecolor="white" if hatch else None, linewidth=0)
            axes.bar_label(bars, labels=[_euros(v) for v in series], padding=3, fontsize=10)
        axes.set_xticks(range(len(years)),
                        [year_label(y).replace(" (", "\n(") for y in years])
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _euros(value)))
        axes.axhline(0, color="#3a3a3a", linewidth=0.8)
        axes.margins(y=0.12)
        axes.grid(axis="y", color="#dddddd", linewidth=0.8)
        axes.set_axisbelow(True)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.01), ncol=len(SERIES),
                    frameon=False, fontsize=12)
        figure.suptitle("Subvention de l'État et coût salarial, par année de contrat",
                        x=0.5, y=0.965, fontsize=18, fontweight="bold", color="#000091")
        figure.text(0.5, 0.895, _subtitle(result, posts), ha="center", fontsize=13)
        notes = [split_note(params, result),
                 f"Sur {formatting.quantity(inp.months, 'mois', 'mois')} : subvention "
                 f"{_euros(result.total_subsidy)}, coût salarial {_euros(result.total_cost)}, "
                 f"reste à votre charge {_euros(result.total_remaining)}.",
                 f"Estimation de l'{ASSISTANT_NAME}, pas une décision de l'État. Hors frais "
                 "non couverts (déplacements, équipement, locaux)."]
        figure.text(0.03, 0.025, "\n".join(textwrap.fill(n, 140) for n in notes),
                    fontsize=10.5, va="bottom", linespacing=1.5, color="#3a3a3a")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _euros(value: float) -> str:
    """An amount rounded to the euro, always in figures: "12 500 €", "1 200 000 €"."""
    return formatting.number(round(value)) + "\u00a0€"


def _subtitle(result: Simulation, posts: str) -> str:
    inp = result.input
    convention = "convention initiale (AMI 2020)" if inp.convention == "ami_2020" \
        else "renouvellement (2023)"
    return (f"{posts} · {inp.territory.name} · {convention} · contrat de "
            f"{formatting.quantity(inp.months, 'mois', 'mois')} dès {month_year(inp.start)} · "
            + ("total des postes" if inp.posts > 1 else "montants par poste"))
