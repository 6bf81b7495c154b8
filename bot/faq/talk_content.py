"""knowledge/petite_conversation.yaml: small talk, typed picks and follow-ups, validated with
`file:line` errors."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from bot.core.yamlsource import ContentError, YamlDoc, load_yaml
from bot.faq import followup, talk

FILE = "petite_conversation.yaml"
COMMANDS = ("aide", "menu")      # what an intent may answer with instead of a text
TOP_KEYS = {"intentions", "politesse", "choix", "suivi"}
INTENT_KEYS = {"id", "phrases", "reponse", "prefixe", "commande", "accompagne"}
PICK_KEYS = {"duree_minutes", "oui", "non", "rangs", "mots"}
FOLLOW_KEYS = {"duree_minutes", "emplacements", "debuts", "mots", "structure", "convention",
               "outre_mer", "postes"}
STRUCTURES = ("prive", "public")
ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
LAST_RANK = "dernier"


def load_talk(path: Path, errors: list[ContentError]) -> tuple[talk.Talk, followup.Rules]:
    """Read the file (a missing file means no small talk and the default follow-ups);
    problems are added to `errors`."""
    if not path.exists():
        return talk.Talk(), followup.Rules()
    doc = load_yaml(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    if not isinstance(doc.data, dict):
        errors.append(doc.error("le fichier doit contenir « intentions », « choix », « suivi »"))
    _unknown(doc, data, TOP_KEYS, (), errors)
    intents = _intents(doc, data.get("intentions"), errors)
    courtesy = talk.phrases(_strings(doc, data, "politesse", (), errors, required=False))
    picks = _picks(doc, data.get("choix", {}), errors)
    rules = _rules(doc, data.get("suivi", {}), errors)
    return talk.Talk(intents=intents, courtesy=courtesy, picks=picks), rules


def _unknown(doc: YamlDoc, data: dict[str, Any], keys: set[str], path: tuple[str | int, ...],
             errors: list[ContentError]) -> None:
    for key in data:
        if key not in keys:
            errors.append(doc.error(f"clé « {key} » inconnue (connues : "
                                    f"{', '.join(sorted(keys))})", *path, key))


def _strings(doc: YamlDoc, data: Any, key: str | int, path: tuple[str | int, ...],
             errors: list[ContentError], *, required: bool = True) -> list[str]:
    """A list of texts at data[key]; an error names the line when it is not one."""
    value = data.get(key) if isinstance(data, dict) else None
    if value is None and not required:
        return []
    if isinstance(value, list) and any(isinstance(v, bool) for v in value):
        errors.append(doc.error(f"« {key} » : yes, no, on, off… sont lus comme vrai/faux : "
                                "mettez ces mots entre guillemets", *path, key))
        return [str(v) for v in value if not isinstance(v, bool)]
    if not isinstance(value, list) or not value or \
            not all(isinstance(v, str | int) and str(v).strip() for v in value):
        errors.append(doc.error(f"« {key} » : une liste de textes non vides", *path, key))
        return []
    return [str(v) for v in value]


def _minutes(doc: YamlDoc, data: dict[str, Any], path: tuple[str, ...],
             errors: list[ContentError], default: int) -> int:
    value = data.get("duree_minutes", default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 24 * 60:
        errors.append(doc.error("« duree_minutes » : un nombre entier de minutes entre 1 et "
                                "1440", *path, "duree_minutes"))
        return default
    return value


def _intents(doc: YamlDoc, raw: Any, errors: list[ContentError]) -> tuple[talk.Intent, ...]:
    if not isinstance(raw, list) or not raw:
        errors.append(doc.error("« intentions » : une liste d'intentions", "intentions"))
        return ()
    intents: list[talk.Intent] = []
    owner: dict[talk.Phrase, str] = {}
    for index, item in enumerate(raw):
        path = ("intentions", index)
        if not isinstance(item, dict):
            errors.append(doc.error("intention : « id », « phrases », « reponse »", *path))
            continue
        _unknown(doc, item, INTENT_KEYS, path, errors)
        intent_id = item.get("id")
        if not isinstance(intent_id, str) or not ID_PATTERN.match(intent_id) or \
                intent_id in {i.id for i in intents}:
            errors.append(doc.error("« id » manquant, en double ou invalide (a-z, 0-9, _)",
                                    *path, "id"))
            continue
        phrases = talk.phrases(_strings(doc, item, "phrases", path, errors))
        for number, phrase in enumerate(phrases):
            if phrase in owner:
                errors.append(doc.error(f"phrase « {' '.join(phrase)} » déjà dans « "
                                        f"{owner[phrase]} »", *path, "phrases", number))
            owner.setdefault(phrase, intent_id)
        intent = _intent(doc, item, intent_id, phrases, path, errors)
        if intent is not None:
            intents.append(intent)
    return tuple(intents)


def _intent(doc: YamlDoc, item: dict[str, Any], intent_id: str,
            phrases: tuple[talk.Phrase, ...], path: tuple[str | int, ...],
            errors: list[ContentError]) -> talk.Intent | None:
    reply, prefix, command = item.get("reponse"), item.get("prefixe"), item.get("commande")
    if command is not None and command not in COMMANDS:
        errors.append(doc.error(f"« commande » : {' ou '.join(COMMANDS)}", *path, "commande"))
        return None
    if command == "aide" and reply is not None:
        errors.append(doc.error("« commande: aide » répond avec l'aide : pas de « reponse »",
                                *path, "reponse"))
        return None
    if command is None and not (isinstance(reply, str) and reply.strip()):
        errors.append(doc.error("« reponse » (un texte) ou « commande » manquant", *path))
        return None
    for key, value in (("reponse", reply), ("prefixe", prefix)):
        if value is not None and not (isinstance(value, str) and value.strip()):
            errors.append(doc.error(f"« {key} » : un texte non vide", *path, key))
            return None
    opens = item.get("accompagne", False)
    accompanies: tuple[talk.Phrase, ...] = ()
    if opens is True:
        accompanies = phrases
    elif isinstance(opens, list):
        accompanies = talk.phrases(_strings(doc, item, "accompagne", path, errors))
        for phrase in accompanies:
            if phrase not in phrases:
                errors.append(doc.error(f"« accompagne » : « {' '.join(phrase)} » n'est pas "
                                        "dans ses « phrases »", *path, "accompagne"))
    elif opens is not False:
        errors.append(doc.error("« accompagne » : true, ou une liste de ses phrases",
                                *path, "accompagne"))
    return talk.Intent(id=intent_id, phrases=phrases, command=command,
                       reply=html.escape(reply.strip(), quote=False) if reply else None,
                       prefix=html.escape(prefix.strip(), quote=False) if prefix else None,
                       accompanies=accompanies)


def _picks(doc: YamlDoc, raw: Any, errors: list[ContentError]) -> talk.Picks:
    path = ("choix",)
    if not isinstance(raw, dict):
        errors.append(doc.error("« choix » : « oui », « non », « rangs », « mots »", *path))
        return talk.Picks()
    _unknown(doc, raw, PICK_KEYS, path, errors)
    ranks: list[tuple[int, tuple[talk.Phrase, ...]]] = []
    raw_ranks = raw.get("rangs")
    if not isinstance(raw_ranks, dict) or not raw_ranks:
        errors.append(doc.error("« rangs » : 1, 2… et « dernier », chacun avec ses mots",
                                *path, "rangs"))
        raw_ranks = {}
    for key in raw_ranks:
        rank = talk.LAST if key == LAST_RANK else int(key) if str(key).isdigit() and \
            int(key) > 0 else None
        if rank is None:
            errors.append(doc.error(f"rang « {key} » : un nombre à partir de 1, ou "
                                    f"« {LAST_RANK} »", *path, "rangs", key))
            continue
        ranks.append((rank, talk.phrases(_strings(doc, raw_ranks, key, (*path, "rangs"),
                                                  errors))))
    return talk.Picks(
        minutes=_minutes(doc, raw, path, errors, talk.Picks().minutes),
        yes=talk.phrases(_strings(doc, raw, "oui", path, errors)),
        no=talk.phrases(_strings(doc, raw, "non", path, errors)),
        ranks=tuple(ranks), fillers=talk.phrases(_strings(doc, raw, "mots", path, errors)))


def _rules(doc: YamlDoc, raw: Any, errors: list[ContentError]) -> followup.Rules:
    path = ("suivi",)
    if not isinstance(raw, dict):
        errors.append(doc.error("« suivi » : « duree_minutes », « emplacements »…", *path))
        return followup.Rules()
    _unknown(doc, raw, FOLLOW_KEYS, path, errors)
    slots = _strings(doc, raw, "emplacements", path, errors)
    for slot in slots:
        if slot not in followup.SLOTS:
            errors.append(doc.error(f"emplacement « {slot} » inconnu (connus : "
                                    f"{', '.join(followup.SLOTS)})", *path, "emplacements"))
    values: list[tuple[str, str, talk.Phrase]] = []
    for slot in ("structure", "convention"):
        mapping = raw.get(slot)
        if not isinstance(mapping, dict) or not mapping:
            errors.append(doc.error(f"« {slot} » : chaque valeur avec ses mots", *path, slot))
            continue
        for value in mapping:
            if slot == "structure" and value not in STRUCTURES:
                errors.append(doc.error(f"structure « {value} » inconnue (connues : "
                                        f"{', '.join(STRUCTURES)})", *path, slot, value))
            words = _strings(doc, mapping, value, (*path, slot), errors)
            values += [(slot, str(value), p) for p in followup.phrases(words)]
    values += [("territoire", followup.OVERSEAS, p)
               for p in followup.phrases(_strings(doc, raw, "outre_mer", path, errors))]
    return followup.Rules(
        minutes=_minutes(doc, raw, path, errors, followup.Rules().minutes),
        slots=tuple(s for s in slots if s in followup.SLOTS),
        starts=followup.phrases(_strings(doc, raw, "debuts", path, errors)),
        fillers=followup.phrases(_strings(doc, raw, "mots", path, errors)),
        values=tuple(values),
        posts=followup.phrases(_strings(doc, raw, "postes", path, errors)))
