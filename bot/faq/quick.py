"""One-line answers to amount questions: "combien pour 2 postes en outre-mer ?"."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace

from rapidfuzz.distance import OSA

from bot.core import formatting
from bot.core.memo import per_content
from bot.core.text import normalize
from bot.faq.entries import Scope
from bot.faq.lemmas import lemmatizer
from bot.faq.matcher import STOPWORDS
from bot.programme.params import Parameters, Territory
from bot.programme.rules import initial_subsidy

MONEY_WORDS = frozenset(
    "montant montants subvention subventions aide aides financement financements finance "
    "financer financee somme sommes argent euros € toucher touche toucherai touchera "
    "touchent toucherait percevoir percoit recevoir recoit verse versee verser versera "
    "enveloppe dotation total totale".split())
# Words of a cost question: the FAQ on the employer's cost answers better than a subsidy figure.
COST_WORDS = frozenset("cout couts coute coutera couter revient charges charge reste budget "
                       "salaire paie".split())
NOT_MONEY_AFTER_COMBIEN = frozenset(
    "temps jours jour mois semaines annees ans heures conseillers conseiller postes poste "
    "personnes structures communes fois candidats candidature candidatures demande demandes "
    "dossier dossiers".split())
# The job this programme funds, as users name it: a number of posts counts these.
JOB_WORDS = frozenset(
    "poste postes conseiller conseillers conseillere conseilleres numerique numeriques "
    "mediateur mediateurs mediatrice mediatrices recrutement recrutements cnfs".split())
PRIVATE_WORDS = frozenset(
    "association associations asso assos associatif associative associatifs associatives "
    "prive privee privees prives ess scic scop fondation fondations mutuelle federation "
    "federations fede fedes entreprise entreprises".split())
PUBLIC_WORDS = frozenset(
    "public publique publics publiques commune communes collectivite collectivites epci "
    "departement region intercommunalite interco communaute agglo agglomeration ccas cias "
    "syndicat sivom sivu mairie mairies ville village metropole comcom intercos "
    "agglos communautes".split())
RENEWAL_WORDS = frozenset(
    "renouvellement renouvellements renouveler renouvele reconventionnement "
    "reconventionner prolongation v2 2023 2024".split())
# A "quartier" alone is no priority district ("une asso de quartier"): "prioritaire" says it.
BONUS_WORDS = frozenset("qpv zrr frr prioritaire prioritaires".split())
BONUS = re.compile(r"\b(?:qpv|zrr|frr|prioritaires?|politique de la ville)\b")
INITIAL_WORDS = frozenset("ami 2020 2021 initial initiale initiaux premiere convention".split())
# Words that change nothing in an amount question ("notre petite commune voudrait…").
NEUTRAL_WORDS = STOPWORDS | frozenset("""
    combien cb quel quelle quels quelles montant total totale globale global au aux en a par
    pour on nous notre nos ca c fait ferait ferons serait sera aurait aurons aura auraient
    avoir veut veulent voudrait voudrions souhaite souhaiterait souhaitons envisage envisageons
    prendre prend prenait recruter recrute embaucher embauche engager employer etat l le la
    les d de du des chez dans sur si y il elle ils elles cela ceci bien environ petite petit
    rurale rural grande habitants habitant bonjour bonsoir merci svp stp francs france
    services service simulation calcul calculer estimation estimer donne donner donnerait
    paye payer paierait finance lequel laquelle exemple disons mettons cas ok dites moi
    seul seule seulement tout tous somme al uniquement maximum maxi on est sommes avons ont
    peu pres gros grosso modo cote ici demande demandes candidature candidatures dossier
    quartier quartiers
    """.split())
# After these words comes what a computation depends on (a place, a structure, a job):
# a word there that it does not know sends the question elsewhere ("pour la piscine").
SLOT_OPENERS = frozenset("en a au aux dans pour chez sur".split())
# A number standing alone after these is no number of posts: "en 57", "du 74", "le 15".
NOT_POSTS_BEFORE = frozenset("en du le depuis".split())
ARTICLES = frozenset("le la les l un une des du notre nos mon ma leur leurs ce cette".split())
OF = frozenset("de d du".split())
NEGATIVE_POSTS = re.compile(r"[-−–]\s*\d+\s*(?:postes?|conseillers?)\b", re.IGNORECASE)
POST_COUNT = re.compile(r"\b(\d{1,7}) (?:seul |seule )?(?:postes?|conseill(?:er|ere)s?|"
                        r"mediat(?:eur|rice)s?|recrutements?)\b")
NUMBER = re.compile(r"^\d+$")
# Words between a number of posts and its place: "2 (postes) (en) (la) Réunion".
SHARE_FILLERS = SLOT_OPENERS | JOB_WORDS | frozenset("la le l les".split())
ONE = frozenset(("un", "une"))
OVERSEAS = re.compile(r"\boutre mer\b")
# Counts that are no number of posts: "400 habitants", "2 postes entre 3 communes".
POPULATION = re.compile(r"\b\d+ (?:habitants?|communes|structures)\b")
YEARS_INITIAL = range(2020, 2023)
YEARS = range(1990, 2100)
MIN_TYPO_LENGTH = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class QuickRequest:
    """What an amount question asks: how many posts, where, which employer, which convention."""

    posts: int
    territories: tuple[Territory, ...]
    overseas: bool
    private: bool
    posts_given: bool
    structure: str | None = None  # "public" or "prive" when the question says so
    renewal: bool = False         # the 2023 renewal convention, not the initial one
    bonus: bool = False           # renewal in a QPV or ZRR (bonus)
    shares: tuple[int, ...] = ()  # posts per territory, when each place has its own number


def read(question: str, params: Parameters, scope: Scope) -> QuickRequest | None:
    """The amount question in a user's text, if any; a negative number of posts ("-5 postes",
    whose sign normalising drops) is kept negative, for the answer to refuse it. A question
    that names another job or programme of the town hall (`scope`) is no computation of ours,
    even beside our own words ("3 conseillers France Rénov'")."""
    normalized = normalize(question)
    if scope.names_other_job(normalized):
        return None
    request = parse(normalized, params)
    if request is not None and NEGATIVE_POSTS.search(question):
        return replace(request, posts=-request.posts)
    return request


def parse(normalized: str, params: Parameters) -> QuickRequest | None:
    """Read an amount question; None unless every slot of it is understood (job, structure,
    convention, territory, number of posts) and no unknown word sits where a slot is read."""
    places = _places(params)
    normalized = _typos_fixed(normalized, places)
    words = normalized.split()
    if not _asks_amount(words) or COST_WORDS.intersection(words):
        return None
    spans = _place_spans(words, places)
    shared, taken = _shares(words, spans)
    territories = () if shared else tuple(dict.fromkeys(t for *_, t in spans))
    named = taken.union(*(range(start, end) for start, end, _ in spans))
    rest = " ".join(w for i, w in enumerate(words) if i not in named)
    rest = POPULATION.sub(" ", rest)
    overseas = bool(OVERSEAS.search(rest))
    rest = OVERSEAS.sub(" ", rest)
    counts = [int(m.group(1)) for m in POST_COUNT.finditer(rest)]
    if shared:
        total = sum(n for _, n in shared)
        if any(count != total for count in counts):
            return None  # "3 postes : 2 en Guyane et 2 en Martinique" does not add up
        territories, counts = tuple(t for t, _ in shared), [total]
    if len(set(counts)) > 1:
        return None  # "2 postes et 3 conseillers": more than one figure to compute
    bonus = bool(BONUS.search(rest))
    rest = POST_COUNT.sub(" poste ", rest).split()  # the job stays: "poste de policier"
    # Without a number of posts or the job named, every word must be known ("le préfet
    # donne combien en Martinique ?" is no computation).
    strict = not counts and not JOB_WORDS.intersection(rest)
    bare = _understood(rest, int(params.value("nombre_conseillers")), strict=strict,
                       placed=bool(territories))
    if bare is None:
        return None
    if bare and counts and not (shared and bare == counts[0]):
        return None  # "3 postes et 2 en Guadeloupe": two figures to compute
    if bare:
        counts = [bare]  # "on en voudrait deux, c'est combien ?"
    structure = _structure(rest)
    renewal = bool(RENEWAL_WORDS.intersection(rest))
    if structure == "both":
        return None  # asked for more than one structure
    if overseas and territories:
        return None  # "outre-mer" and a named territory: which one?
    if not counts and (len(territories) != 1 and not overseas):
        return None  # no number of posts, and no one place to compute for
    if overseas:
        territories = tuple(t for t in params.territories.values() if t.overseas)
    elif not territories:
        territories = tuple(t for t in params.territories.values() if not t.overseas)[:1]
    request = QuickRequest(
        posts=counts[0] if counts else 1, territories=territories, overseas=overseas,
        private=structure == "prive", posts_given=bool(counts), structure=structure,
        renewal=renewal, bonus=bonus,
        shares=tuple(n for _, n in shared) if shared and structure != "prive" else ())
    return request if supported(request) else None


@dataclass(frozen=True, slots=True)
class _Places:
    """A content's place names (as words) by their first word, longest first, its slot
    words by first letter (typos), and its place names of one word."""

    names: dict[str, tuple[tuple[tuple[str, ...], Territory], ...]]
    by_first: dict[str, tuple[str, ...]]
    single: frozenset[str]


@per_content
def _places(params: Parameters) -> _Places:
    """The place names and slot words of this content, built once per content."""
    names = sorted(((word, t) for t in params.territories.values()
                    for word in (t.id.replace("_", " "), *t.words)),
                   key=lambda item: -len(item[0]))
    words = {w for w, _ in names if " " not in w} | JOB_WORDS | PRIVATE_WORDS | \
        PUBLIC_WORDS | RENEWAL_WORDS | NEUTRAL_WORDS
    grouped: dict[str, list[str]] = {}
    for word in sorted(words):
        grouped.setdefault(word[:1], []).append(word)
    by_word: dict[str, list[tuple[tuple[str, ...], Territory]]] = {}
    for name, territory in names:
        by_word.setdefault(name.split()[0], []).append((tuple(name.split()), territory))
    return _Places(names={first: tuple(group) for first, group in by_word.items()},
                   by_first={first: tuple(group) for first, group in grouped.items()},
                   single=frozenset(w for w, _ in names if " " not in w))


def _typos_fixed(normalized: str, places: _Places) -> str:
    """Words of 5 letters or more one typo away from a slot word ("guyanne", "psotes"); an
    inflected French word is no typo of a place ("majore" is not Mayotte's "maore")."""
    words = []
    for word in normalized.split():
        known = places.by_first.get(word[:1], ())
        if len(word) >= MIN_TYPO_LENGTH and word not in known and not word.isdigit():
            allowed = 2 if len(word) >= 8 else 1
            fixed = next((k for k in known if
                          OSA.distance(word, k, score_cutoff=allowed) <= allowed), word)
            if fixed not in places.single or not lemmatizer().knows(word):
                word = fixed
        words.append(word)
    return " ".join(words)


def supported(request: QuickRequest) -> bool:
    """The sources give this figure: the renewal's in métropole only, its bonus with it."""
    if request.bonus and not request.renewal:
        return False
    return not (request.renewal and any(t.overseas for t in request.territories))


def _understood(words: list[str], limit: int, *, strict: bool, placed: bool) -> int | None:
    """None when a word sits where a slot is read and is not known ("pour la piscine",
    "2 logements", "poste de policier"), or, if `strict`, anywhere; else a number standing
    alone (0 if none). Once a territory is `placed`, a structure's name is no slot ("CCAS
    de Saint-Pierre (La Réunion)")."""
    bare = 0
    for index, word in enumerate(words):
        if NUMBER.match(word):
            number = int(word)
            after = words[index + 1:index + 2]
            if (number == 1 and after and after[0] not in SLOT_OPENERS) or \
                    number in YEARS_INITIAL:
                continue  # "1 association" is an article ("… et 1 en Guyane" is not)
            if index and _names_no_posts(words[index - 1], number):
                return None  # "en 57", "du 74", "M57": a place, a year or a code
            if bare or not 1 < number <= limit or number in YEARS:
                return None  # two figures, a year of another period, or no number of posts
            bare = number
            continue
        if _known(word):
            continue
        if strict:
            return None
        before = [w for w in words[:index] if w not in ARTICLES][-2:]
        if before and (before[-1] in SLOT_OPENERS or NUMBER.match(before[-1]) or
                       (before[-1] in OF and len(before) == 2 and
                        (before[0] in JOB_WORDS or
                         (before[0] in PUBLIC_WORDS and not placed)))):
            return None
    return bare


def _names_no_posts(before: str, number: int) -> bool:
    """After this word the number is a place, a year or a code, not a number of posts; a
    letter before 1 is an elision ("d'une commune" reads "d 1 commune"), not a code."""
    return before in NOT_POSTS_BEFORE or (len(before) == 1 and before.isalpha() and
                                          before not in ("a", "y") and number != 1)


def _known(word: str) -> bool:
    return any(word in words for words in (
        NEUTRAL_WORDS, MONEY_WORDS, JOB_WORDS, PRIVATE_WORDS, PUBLIC_WORDS, RENEWAL_WORDS,
        BONUS_WORDS, INITIAL_WORDS))


def _structure(words: list[str]) -> str | None:
    private = bool(PRIVATE_WORDS.intersection(words))
    public = bool(PUBLIC_WORDS.intersection(words))
    if private and public:
        return "both"
    if private:
        return "prive"
    return "public" if public else None


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


def _place_spans(words: list[str], places: _Places) -> list[tuple[int, int, Territory]]:
    """Where places are named, as (first word, end, territory), the longest name first."""
    spans, start = [], 0
    while start < len(words):
        found = next(((len(name), t) for name, t in places.names.get(words[start], ())
                      if tuple(words[start:start + len(name)]) == name), None)
        if found is not None:
            spans.append((start, start + found[0], found[1]))
        start += found[0] if found else 1
    return spans


def _shares(words: list[str], spans: list[tuple[int, int, Territory]]
            ) -> tuple[tuple[tuple[Territory, int], ...], set[int]]:
    """Places named each with its own number of posts ("2 en métropole et 1 en Martinique",
    "3 conseillers en Guyane et un à Mayotte"), and the words that say so; none unless two
    places or more are named and every one has its number."""
    if len({territory for *_, territory in spans}) < 2:
        return (), set()
    shared, taken, previous_end = [], set(), 0
    for start, end, territory in spans:
        k = start - 1
        while k >= previous_end and k >= start - 4 and words[k] in SHARE_FILLERS:
            k -= 1
        if k < previous_end or not (NUMBER.match(words[k]) or words[k] in ONE):
            return (), set()  # "2 postes en Guyane et en Martinique": 2 in each
        shared.append((territory, 1 if words[k] in ONE else int(words[k])))
        taken.update(range(k, end))
        previous_end = end
    if len({territory for territory, _ in shared}) < len(shared):
        return (), set()
    return tuple(shared), taken


def answer(request: QuickRequest, params: Parameters) -> str:
    """The computed figure(s) with their basis and sources (HTML)."""
    posts = request.posts
    limit = int(params.value("nombre_conseillers"))
    if posts < 1 or posts > limit:
        return (f"Le programme finance {formatting.number(limit)} postes en tout : indiquez un "
                f"nombre de postes entre 1 et {formatting.number(limit)}.")
    if request.renewal:
        return renewal_answer(request, params)
    groups: dict[tuple[str, int], list[Territory]] = {}
    for territory, count in zip(request.territories, request.shares or
                                [posts] * len(request.territories), strict=True):
        groups.setdefault((territory.subsidy_param, count), []).append(territory)
    lines = []
    sources: list[str] = []
    uncertain_notes: list[str] = []
    total = 0.0
    for (_, count), territory_group in groups.items():
        subsidy = initial_subsidy(params, territory_group[0], count, private=request.private)
        total += subsidy.total
        names = ", ".join(t.name for t in territory_group)
        figure = (f"{formatting.number(count)} × {subsidy.per_post.format()} = "
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
    if request.shares:
        lines.append(f"Total : <b>{formatting.euros(total)}</b>")
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


def renewal_answer(request: QuickRequest, params: Parameters) -> str:
    """The renewal convention's figure (36 months, métropole), year by year (HTML)."""
    kind = "prive" if request.private else "public"
    bonus = request.bonus and not request.private
    yearly = [float(params.value(f"v2_{kind}_annee{year}")) +
              (float(params.value(f"v2_bonus_qpv_zrr_annee{year}")) if bonus else 0.0)
              for year in (1, 2, 3)]
    total = params["v2_public_total_qpv_zrr" if bonus else f"v2_{kind}_total"]
    since, end = params["annee_renouvellement"], params["annee_fin_financement"]
    posts = request.posts
    employer = ("structure privée" if request.private else
                "employeur public en QPV ou ZRR" if bonus else "employeur public")
    header = (f"<b>Convention de renouvellement ({since.format()}) pour "
              f"{formatting.quantity(posts, 'poste')} ({employer})</b>")
    lines = [f"{formatting.number(posts)} × {total.format()} = "
             f"<b>{formatting.euros(posts * float(total.value))}</b> sur "
             f"{params['duree_convention_v2_mois'].format()}"]
    lines += [f"• {ordinal} année : {formatting.euros(posts * amount)}"
              for ordinal, amount in zip(("1re", "2e", "3e"), yearly, strict=True)]
    sources = list(dict.fromkeys(s for p in (total, since, params["date_regles_2025"], end)
                                 for s in p.sources))
    notes = []
    if total.uncertain:
        notes.append("⚠ Montants à confirmer : vérifiez-les sur votre convention.")
    elif total.status != "CONFIRMÉ":
        notes.append("⚠ Montants d'une source secondaire : vérifiez-les sur votre convention.")
    notes.append(f"Ces montants valent pour les conventions signées à partir de "
                 f"{since.format()}, en métropole. Depuis le "
                 f"{params['date_regles_2025'].format()}, aucune nouvelle convention n'est "
                 f"signée, et l'État a annoncé qu'il cesserait de financer le dispositif à "
                 f"partir de {end.format()}" + (" (annonce à confirmer)." if end.uncertain
                                                 else "."))
    return "\n".join([header, *lines, *notes,
                      f"\n<i>Source : {html.escape(params.cite(tuple(sources)))}</i>"])
