"""One-line answers to amount questions: "combien pour 2 postes en outre-mer ?"."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot import formatting
from bot.params import Parameters, Territory
from bot.rules import initial_subsidy

MONEY_WORDS = frozenset(
    "montant montants subvention subventions aide aides financement financements finance "
    "financer finance financee somme sommes argent euros € toucher touche toucherai percevoir "
    "recevoir recoit verse versee verser enveloppe dotation prise".split())
# Words of a cost question: the FAQ on the employer's cost answers better than a subsidy figure.
COST_WORDS = frozenset("cout couts coute coutera couter revient charges reste budget".split())
NOT_MONEY_AFTER_COMBIEN = frozenset(
    "temps jours jour mois semaines annees ans heures conseillers conseiller postes poste "
    "personnes structures communes fois candidats".split())
PRIVATE_WORDS = frozenset("association associations prive privee privees prives".split())
PUBLIC_WORDS = frozenset(
    "public publique publics publiques commune communes collectivite collectivites epci "
    "departement region intercommunalite communaute ccas cias syndicat".split())
POSTS = re.compile(r"\b(\d{1,6}) (?:postes?|conseillers?|cnfs|conseillers? numeriques?|"
                   r"recrutements?)\b")
OVERSEAS = re.compile(r"\boutre mer\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class QuickRequest:
    """What an amount question asks: how many posts, where, for which kind of employer."""

    posts: int
    territories: tuple[Territory, ...]
    overseas: bool
    private: bool
    posts_given: bool
    structure: str | None = None  # "public" or "prive" when the question says so


def parse(normalized: str, params: Parameters) -> QuickRequest | None:
    """Read an amount question; None when the text does not ask for an amount."""
    words = normalized.split()
    if not _asks_amount(words) or COST_WORDS.intersection(words):
        return None
    posts_match = POSTS.search(normalized)
    territories = _territories(normalized, params)
    overseas = bool(OVERSEAS.search(normalized)) and not territories
    if not posts_match and not territories and not overseas:
        return None
    if overseas:
        territories = tuple(t for t in params.territories.values() if t.overseas)
    elif not territories:
        territories = tuple(t for t in params.territories.values() if not t.overseas)[:1]
    return QuickRequest(
        posts=int(posts_match.group(1)) if posts_match else 1, territories=territories,
        overseas=overseas, private=bool(PRIVATE_WORDS.intersection(words)),
        posts_given=bool(posts_match), structure=_structure(words))


def _structure(words: list[str]) -> str | None:
    if PRIVATE_WORDS.intersection(words):
        return "prive"
    return "public" if PUBLIC_WORDS.intersection(words) else None


def _asks_amount(words: list[str]) -> bool:
    if MONEY_WORDS.intersection(words):
        return True
    for i, word in enumerate(words):
        if word == "combien":
            following = words[i + 1:i + 3]
            if following[:1] in (["de"], ["d"]) and \
                    NOT_MONEY_AFTER_COMBIEN.intersection(following[1:]):
                continue
            return True
    return False


def _territories(normalized: str, params: Parameters) -> tuple[Territory, ...]:
    padded = f" {normalized} "
    found = [t for t in params.territories.values()
             if any(f" {word} " in padded for word in (t.id.replace("_", " "), *t.words))]
    return tuple(found)


def answer(request: QuickRequest, params: Parameters) -> str:
    """The computed figure(s) with their basis and sources (HTML)."""
    posts = request.posts
    limit = int(params.value("nombre_conseillers"))
    if posts < 1 or posts > limit:
        return (f"Le programme finance {formatting.number(limit)} postes en tout : indiquez un "
                f"nombre de postes entre 1 et {formatting.number(limit)}.")
    groups: dict[str, list[Territory]] = {}
    for territory in request.territories:
        groups.setdefault(territory.subsidy_param, []).append(territory)
    lines = []
    sources: list[str] = []
    uncertain_notes: list[str] = []
    for territory_group in groups.values():
        subsidy = initial_subsidy(params, territory_group[0], posts, private=request.private)
        names = ", ".join(t.name for t in territory_group)
        figure = (f"{formatting.number(posts)} × {subsidy.per_post.format()} = "
                  f"<b>{formatting.euros(subsidy.total)}</b>")
        flag = " (montant à confirmer)" if subsidy.uncertain else ""
        # The private amount does not depend on the territory: no territory label then.
        labelled = (len(groups) > 1 or request.overseas) and not request.private
        lines.append(f"• {html.escape(names)} : {figure}{flag}" if labelled
                     else f"{figure}{flag}")
        for source in subsidy.per_post.sources:
            if source not in sources:
                sources.append(source)
        note = subsidy.per_post.note or ""
        if subsidy.uncertain and note not in uncertain_notes:
            uncertain_notes.append(note)
        if request.private:
            break
    where = ("structure privée" if request.private else "outre-mer" if request.overseas
             else ", ".join(t.name for t in request.territories))
    ami = (f"AMI des structures privées du {params['date_ami_prive'].format()}"
           if request.private else "AMI 2020, employeur public")
    duration = params["duree_subvention_prive_mois" if request.private
                      else "duree_subvention_public_mois"].format()
    header = (f"<b>Subvention de l'État pour {formatting.quantity(posts, 'poste')} "
              f"({html.escape(where)})</b>")
    basis = (f"Base : {ami}, par poste, sur {duration}. "
             f"Depuis le {params['date_regles_2025'].format()}, aucun nouveau poste "
             "n'est attribué.")
    parts = [header, *lines]
    if uncertain_notes:
        parts.extend("⚠ " + html.escape(note) for note in uncertain_notes)
    parts.append(basis)
    dated = ("date_ami_prive", "date_regles_2025") if request.private else ("date_regles_2025",)
    sources = list(dict.fromkeys([*sources, *(s for p in dated for s in params[p].sources)]))
    parts.append(f"\n<i>Source : {html.escape(params.cite(tuple(sources)))}</i>")
    return "\n".join(parts)
