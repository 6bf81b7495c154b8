"""FAQ entries from knowledge/faq/*.yaml: loading, validation, answers filled from parameters."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.text import normalize
from bot.core.yamlsource import ContentError, InvalidContent, YamlDoc, load_yaml
from bot.programme.params import UNCERTAIN, Parameters, check_sources

PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(\.depuis)?\}")
ENTRY_KEYS = {"id", "question", "variantes", "reponse", "source", "statut", "voir_aussi"}
MAX_ID_LENGTH = 40  # ids travel in button payloads, limited to 64 bytes by Telegram
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Dated answers: an answer about applying or about a convention's figures names the period it
# describes and says what holds today (the 2025 rules, the announced end of State funding).
APPLYING = re.compile(r"candidater|s'inscri|peu(?:t|vent) devenir|obtenir (?:un|des) postes?")
PERIOD_MARKERS = {
    "convention_initiale": re.compile(r"\bAMI\b|(?i:convention initiale)|\{date_ami_prive\}"),
    "renouvellement": re.compile(r"renouvellement", re.IGNORECASE),
}
PERIOD_NAMES = {"convention_initiale": "de la convention initiale",
                "renouvellement": "du renouvellement"}
TODAY = re.compile(r"\{date_regles_2025\}|\{annee_fin_financement\}")


@dataclass(frozen=True, slots=True, kw_only=True)
class FaqEntry:
    """A question with its phrasings and its answer, ready to send (HTML)."""

    id: str
    question: str
    variants: tuple[str, ...]
    answer: str
    answer_words: str
    sources: tuple[str, ...]
    uncertain: bool
    see_also: tuple[str, ...]

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.variants)


def fill_placeholders(template: str, params: Parameters) -> str:
    """Replace {param} and {param.depuis} by formatted values."""
    def replace(match: re.Match[str]) -> str:
        param = params[match.group(1)]
        if match.group(2):
            return param.format(param.since) if param.since else ""
        return param.format()
    return PLACEHOLDER.sub(replace, template)


def render_answer(template: str, source_ids: tuple[str, ...], uncertain: bool,
                  params: Parameters) -> str:
    """The answer as sent: text, then its sources and, if any, its uncertainty."""
    text = html.escape(fill_placeholders(template, params).strip(), quote=False)
    footer = "Source : " + html.escape(params.cite(source_ids), quote=False)
    if uncertain:
        footer += " (information à confirmer)"
    return f"{text}\n\n<i>{footer}</i>"


def load_faq(faq_dir: Path, params: Parameters) -> dict[str, FaqEntry]:
    """Load every knowledge/faq/*.yaml file; raise InvalidContent with all problems."""
    files = sorted(faq_dir.glob("*.yaml"))
    errors: list[ContentError] = []
    if not files:
        raise InvalidContent([ContentError(str(faq_dir), 1, "aucun fichier de FAQ (*.yaml)")])
    entries: dict[str, FaqEntry] = {}
    where: dict[str, tuple[YamlDoc, int]] = {}
    for file in files:
        try:
            doc = load_yaml(file)
        except InvalidContent as exc:
            errors += exc.errors
            continue
        if not isinstance(doc.data, list):
            errors.append(doc.error("le fichier doit être une liste d'entrées (« - id: … »)"))
            continue
        for index, raw in enumerate(doc.data):
            entry = _entry(doc, index, raw, params, errors)
            if entry is None:
                continue
            if entry.id in entries:
                first_doc, first_index = where[entry.id]
                errors.append(doc.error(
                    f"identifiant « {entry.id} » en double (déjà utilisé dans "
                    f"{first_doc.file}:{first_doc.line(first_index)})", index, "id"))
                continue
            entries[entry.id] = entry
            where[entry.id] = (doc, index)
    for entry_id, entry in entries.items():
        doc, index = where[entry_id]
        for i, other in enumerate(entry.see_also):
            if other not in entries:
                errors.append(doc.error(f"entrée « {entry_id} » : « voir_aussi » cite "
                                        f"« {other} », qui n'existe pas", index, "voir_aussi", i))
    if errors:
        raise InvalidContent(errors)
    return entries


def _entry(doc: YamlDoc, index: int, raw: Any, params: Parameters,
           errors: list[ContentError]) -> FaqEntry | None:
    if not isinstance(raw, dict):
        errors.append(doc.error("entrée attendue (« id », « question », « reponse »…)", index))
        return None
    entry_id = raw.get("id")
    what = f"entrée « {entry_id} »"
    count = len(errors)
    errors += [doc.error(f"{what} : clé inconnue « {key} » (attendu : "
                         f"{', '.join(sorted(ENTRY_KEYS))})", index, key)
               for key in raw if key not in ENTRY_KEYS]
    if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id) or \
            len(entry_id) > MAX_ID_LENGTH:
        errors.append(doc.error("« id » manquant ou invalide (minuscules, chiffres et tirets, "
                                f"{MAX_ID_LENGTH} caractères au plus)", index, "id"))
    for key in ("question", "reponse"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            label = "réponse" if key == "reponse" else "question"
            errors.append(doc.error(f"{what} : {label} manquante", index))
    variants = raw.get("variantes", [])
    if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip()
                                                 for v in variants):
        errors.append(doc.error(f"{what} : « variantes » doit être une liste de phrases",
                                index, "variantes"))
        variants = []
    see_also = raw.get("voir_aussi", [])
    if not isinstance(see_also, list) or not all(isinstance(v, str) for v in see_also):
        errors.append(doc.error(f"{what} : « voir_aussi » doit être une liste d'identifiants",
                                index, "voir_aussi"))
        see_also = []
    status = raw.get("statut")
    if status not in (None, "CONFIRMÉ", "CONFIRMÉ (secondaire)", UNCERTAIN):
        errors.append(doc.error(f"{what} : statut « {status} » inconnu", index, "statut"))
    sources, source_errors = check_sources(doc, raw.get("source"), params.sources, what,
                                           (index,))
    errors += source_errors
    answer = raw.get("reponse") if isinstance(raw.get("reponse"), str) else ""
    errors += _check_template(doc, index, what, answer, params, status == UNCERTAIN)
    errors += _check_period(doc, index, what, answer, params)
    if len(errors) > count:
        return None
    return FaqEntry(
        id=entry_id, question=raw["question"].strip(),
        variants=tuple(v.strip() for v in variants),
        answer=render_answer(answer, sources, status == UNCERTAIN, params),
        answer_words=fill_placeholders(answer, params),
        sources=sources, uncertain=status == UNCERTAIN, see_also=tuple(see_also))


def _check_template(doc: YamlDoc, index: int, what: str, answer: str, params: Parameters,
                    uncertain: bool) -> list[ContentError]:
    errors = []
    for match in PLACEHOLDER.finditer(answer):
        name = match.group(1)
        if name not in params:
            errors.append(doc.error(f"{what} : paramètre inconnu « {{{name}}} » "
                                    "(voir knowledge/parametres.yaml)", index, "reponse"))
        elif params[name].uncertain and not uncertain:
            errors.append(doc.error(f"{what} : utilise « {name} », paramètre INCERTAIN ; "
                                    "ajoutez « statut: INCERTAIN » et dites l'incertitude",
                                    index, "reponse"))
        elif match.group(2) and params[name].since is None:
            errors.append(doc.error(f"{what} : « {name}.depuis » demande une série datée",
                                    index, "reponse"))
    leftover = PLACEHOLDER.sub("", answer)
    if "{" in leftover or "}" in leftover:
        errors.append(doc.error(f"{what} : accolade hors d'un paramètre reconnu "
                                "(forme attendue : {nom_du_parametre})", index, "reponse"))
    return errors


def _check_period(doc: YamlDoc, index: int, what: str, answer: str,
                  params: Parameters) -> list[ContentError]:
    """An answer about applying or a convention's figures carries its period and today's."""
    periods = {params[m.group(1)].period for m in PLACEHOLDER.finditer(answer)
               if m.group(1) in params} - {None}
    if APPLYING.search(answer):
        periods.add("convention_initiale")
    if not periods:
        return []
    errors = [doc.error(f"{what} : parle {PERIOD_NAMES[period]} sans dire de quelle période "
                        "il s'agit (« AMI », « convention initiale », « renouvellement »)",
                        index, "reponse")
              for period in sorted(periods) if not PERIOD_MARKERS[period].search(answer)]
    if not TODAY.search(answer):
        errors.append(doc.error(f"{what} : parle de candidature ou de montants sans dire ce "
                                "qui vaut aujourd'hui (citez {date_regles_2025} ou "
                                "{annee_fin_financement})", index, "reponse"))
    return errors


def load_synonyms(path: Path) -> dict[str, list[str]]:
    """Load knowledge/synonymes.yaml: FAQ word → words users type instead (optional file)."""
    if not path.exists():
        return {}
    doc = load_yaml(path)
    data = doc.data or {}
    errors = [] if isinstance(data, dict) else [doc.error("le fichier doit associer un mot de "
                                                          "la FAQ à une liste de synonymes")]
    if isinstance(data, dict):
        for word, variants in data.items():
            if not isinstance(variants, list) or not all(isinstance(v, str | int)
                                                         for v in variants):
                errors.append(doc.error(f"« {word} » : liste de synonymes attendue", word))
    if errors:
        raise InvalidContent(errors)
    return {str(word): [str(v) for v in variants] for word, variants in data.items()}


SCOPE_KEYS = ("programme", "autres_metiers", "autres_sujets")


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """Words of the programme, of other jobs and programmes, and of other subjects of a town
    hall (knowledge/perimetre.yaml)."""

    programme: frozenset[str] = frozenset()
    other_jobs: frozenset[str] = frozenset()
    other_subjects: frozenset[str] = frozenset()

    def off_topic(self, normalized: str) -> bool:
        """The question names another job or subject and not the programme."""
        return (_names(normalized, self.other_jobs) or
                _names(normalized, self.other_subjects)) and \
            not self.names_programme(normalized)

    def names_programme(self, normalized: str) -> bool:
        """The question names the programme (conseiller numérique, CnFS, France Services…)."""
        return _names(normalized, self.programme)

    def names_other_job(self, normalized: str) -> bool:
        """The question names another job or programme, whatever else it names."""
        return _names(normalized, self.other_jobs)


def _names(normalized: str, phrases: frozenset[str]) -> bool:
    padded = f" {normalized} "
    return any(f" {w} " in padded for w in phrases)


def load_scope(path: Path) -> Scope:
    """Load knowledge/perimetre.yaml (optional file): three lists of accent-free words."""
    if not path.exists():
        return Scope()
    doc = load_yaml(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    errors = [] if isinstance(doc.data, dict) else [doc.error(
        "le fichier doit avoir trois listes : « programme », « autres_metiers » et "
        "« autres_sujets »")]
    lists: dict[str, frozenset[str]] = {}
    for key in SCOPE_KEYS:
        words = data.get(key, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip()
                                                  for w in words):
            errors.append(doc.error(f"« {key} » : liste de mots attendue", key))
            words = []
        lists[key] = frozenset(normalize(w) for w in words)
    errors += [doc.error(f"clé inconnue « {key} » (attendu : {', '.join(SCOPE_KEYS)})", key)
               for key in data if key not in SCOPE_KEYS]
    if errors:
        raise InvalidContent(errors)
    return Scope(programme=lists["programme"], other_jobs=lists["autres_metiers"],
                 other_subjects=lists["autres_sujets"])
