"""Programme parameters (amounts, durations, dates), territories and sources, from knowledge/."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bot.core import formatting
from bot.core.yamlsource import ContentError, InvalidContent, YamlDoc, load_yaml

UNITS = (
    "euros", "euros_horaire", "mois", "jours", "heures", "pourcent", "nombre", "date", "annee",
)
STATUSES = ("CONFIRMÉ", "CONFIRMÉ (secondaire)", "INCERTAIN")
# The conventions a figure belongs to: an answer that uses it must say which one it describes.
PERIODS = ("convention_initiale", "renouvellement")
UNCERTAIN = "INCERTAIN"
# A file of the project ("facts.md", "parametres.yaml"): users see sources, never our files.
INTERNAL_FILE = re.compile(r"\b[\w-]+\.(?:md|py|ya?ml)\b")

Value = float | int | dt.date


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where a fact comes from; `short` is what users see after an answer."""

    id: str
    short: str
    title: str
    url: str | None = None
    file: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """A figure of the programme, possibly dated (a series of values with their start dates)."""

    id: str
    label: str
    unit: str
    sources: tuple[str, ...]
    status: str
    note: str | None
    series: tuple[tuple[dt.date | None, Value], ...]
    period: str | None = None   # one of PERIODS for a figure of one convention

    @property
    def uncertain(self) -> bool:
        return self.status == UNCERTAIN

    @property
    def value(self) -> Value:
        """The latest value."""
        return self.series[-1][1]

    @property
    def since(self) -> dt.date | None:
        """Start date of the latest value, for dated series."""
        return self.series[-1][0]

    def value_at(self, day: dt.date) -> Value:
        """The value in force on `day` (the first one if `day` is before the series)."""
        current = self.series[0][1]
        for start, value in self.series:
            if start is not None and start > day:
                break
            current = value
        return current

    def format(self, value: Value | None = None) -> str:
        """The value formatted the French way for its unit."""
        return format_value(self.value if value is None else value, self.unit)


def format_value(value: Value, unit: str) -> str:
    """Format a parameter value for its unit ("50 000 €", "24 mois", "36,5 %")."""
    if isinstance(value, dt.date):
        return formatting.date(value)
    match unit:
        case "euros" | "euros_horaire":
            return formatting.euros(value)
        case "mois":
            return formatting.quantity(value, "mois", "mois")
        case "jours":
            return formatting.quantity(value, "jour")
        case "heures":
            return formatting.quantity(value, "heure")
        case "pourcent":
            return formatting.percent(value)
        case "annee":
            return str(value)
        case _:
            return formatting.number(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Territory:
    """A territory of France with its time zone and the parameters that apply there."""

    id: str
    name: str
    code: str | None
    overseas: bool
    timezone: str
    subsidy_param: str
    smic_param: str
    words: tuple[str, ...]
    wages_known: bool = True    # false: no minimum wage nor contributions in the sources
    holidays: str | None = None  # subdivision of France in the `holidays` library ("971")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Parameters:
    """All parameters, territories and sources, validated."""

    by_id: dict[str, Parameter]
    territories: dict[str, Territory]
    sources: dict[str, Source]

    def __getitem__(self, param_id: str) -> Parameter:
        return self.by_id[param_id]

    def __contains__(self, param_id: object) -> bool:
        return param_id in self.by_id

    def value(self, param_id: str, day: dt.date | None = None) -> Value:
        param = self.by_id[param_id]
        return param.value if day is None else param.value_at(day)

    def subsidy(self, territory: Territory) -> Parameter:
        return self.by_id[territory.subsidy_param]

    def cite(self, source_ids: tuple[str, ...]) -> str:
        """Short labels of sources, for the line under an answer."""
        return " ; ".join(self.sources[s].short for s in source_ids)


def load_sources(path: Path) -> tuple[dict[str, Source], list[ContentError]]:
    """Load knowledge/sources.yaml."""
    doc = load_yaml(path)
    errors: list[ContentError] = []
    sources: dict[str, Source] = {}
    if not isinstance(doc.data, dict):
        return {}, [doc.error("le fichier doit associer un identifiant à chaque source")]
    root = path.parent.parent
    for source_id, raw in doc.data.items():
        if not isinstance(raw, dict):
            errors.append(doc.error(f"source « {source_id} » : description attendue", source_id))
            continue
        errors += _unknown_keys(doc, raw, {"court", "titre", "url", "fichier", "consulte"},
                                (source_id,))
        for key in ("court", "titre"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                errors.append(doc.error(f"source « {source_id} » : « {key} » manquant",
                                        source_id))
        file = raw.get("fichier")
        if file is not None and not (root / str(file)).is_file():
            errors.append(doc.error(f"source « {source_id} » : fichier « {file} » introuvable",
                                    source_id, "fichier"))
        for key in ("court", "titre"):
            errors += internal_file_errors(doc, raw.get(key), f"source « {source_id} »",
                                           (source_id, key))
        sources[str(source_id)] = Source(
            id=str(source_id), short=str(raw.get("court", "")), title=str(raw.get("titre", "")),
            url=raw.get("url"), file=file)
    return sources, errors


def load_parameters(knowledge_dir: Path) -> Parameters:
    """Load and validate sources.yaml and parametres.yaml; raise InvalidContent on problems."""
    errors: list[ContentError] = []
    sources, source_errors = load_sources(knowledge_dir / "sources.yaml")
    errors += source_errors
    doc = load_yaml(knowledge_dir / "parametres.yaml")
    data = doc.data if isinstance(doc.data, dict) else {}
    errors += _unknown_keys(doc, data, {"parametres", "territoires"}, ())
    raw_params = data.get("parametres")
    if not isinstance(raw_params, dict) or not raw_params:
        errors.append(doc.error("section « parametres » manquante ou vide"))
        raw_params = {}
    by_id: dict[str, Parameter] = {}
    for param_id, raw in raw_params.items():
        param = _parameter(doc, str(param_id), raw, sources, errors)
        if param is not None:
            by_id[param.id] = param
    territories: dict[str, Territory] = {}
    raw_territories = data.get("territoires")
    if not isinstance(raw_territories, dict) or not raw_territories:
        errors.append(doc.error("section « territoires » manquante ou vide"))
        raw_territories = {}
    for territory_id, raw in raw_territories.items():
        territory = _territory(doc, str(territory_id), raw, by_id, errors)
        if territory is not None:
            territories[territory.id] = territory
    if errors:
        raise InvalidContent(errors)
    return Parameters(by_id, territories, sources)


def _unknown_keys(doc: YamlDoc, raw: dict[str, Any], allowed: set[str],
                  path: tuple[str, ...]) -> list[ContentError]:
    return [doc.error(f"clé inconnue « {key} » (attendu : {', '.join(sorted(allowed))})",
                      *path, key)
            for key in raw if key not in allowed]


def internal_file_errors(doc: YamlDoc, text: Any, what: str,
                         path: tuple[str | int, ...]) -> list[ContentError]:
    """A user-facing text that names one of the project's files (users see sources only)."""
    if not isinstance(text, str):
        return []
    return [doc.error(f"{what} : « {match.group(0)} » est un fichier du projet ; citez la "
                      "source publique, jamais nos fichiers", *path)
            for match in INTERNAL_FILE.finditer(text)]


def check_sources(doc: YamlDoc, raw: Any, sources: dict[str, Source], what: str,
                  path: tuple[str | int, ...]) -> tuple[tuple[str, ...], list[ContentError]]:
    """Validate a `source` field: a non-empty list of known source ids."""
    if raw is None:
        return (), [doc.error(f"{what} : « source » manquante", *path)]
    ids = (raw,) if isinstance(raw, str) else tuple(raw) if isinstance(raw, list) else None
    if not ids:
        return (), [doc.error(f"{what} : « source » doit être une liste d'identifiants", *path,
                              "source")]
    errors = [doc.error(f"{what} : source inconnue « {s} » (voir knowledge/sources.yaml)",
                        *path, "source")
              for s in ids if s not in sources]
    return tuple(str(s) for s in ids), errors


def _parameter(doc: YamlDoc, param_id: str, raw: Any, sources: dict[str, Source],
               errors: list[ContentError]) -> Parameter | None:
    path = ("parametres", param_id)
    what = f"paramètre « {param_id} »"
    if not isinstance(raw, dict):
        errors.append(doc.error(f"{what} : description attendue", *path))
        return None
    errors += _unknown_keys(doc, raw, {"libelle", "valeur", "valeurs", "unite", "source",
                                       "statut", "note", "periode"}, path)
    period = raw.get("periode")
    if period is not None and period not in PERIODS:
        errors.append(doc.error(f"{what} : période « {period} » inconnue (attendu : "
                                f"{', '.join(PERIODS)})", *path, "periode"))
    if not isinstance(raw.get("libelle"), str):
        errors.append(doc.error(f"{what} : « libelle » manquant", *path))
    unit = raw.get("unite")
    if unit not in UNITS:
        errors.append(doc.error(f"{what} : unité « {unit} » inconnue (attendu : "
                                f"{', '.join(UNITS)})", *path, "unite"))
    source_ids, source_errors = check_sources(doc, raw.get("source"), sources,
                                              f"{what} (chiffre sans source)", path)
    errors += source_errors
    status = raw.get("statut", "CONFIRMÉ")
    if status not in STATUSES:
        errors.append(doc.error(f"{what} : statut « {status} » inconnu (attendu : "
                                f"{', '.join(STATUSES)})", *path, "statut"))
    if status == UNCERTAIN and not raw.get("note"):
        errors.append(doc.error(f"{what} : un paramètre INCERTAIN doit avoir une « note » "
                                "qui explique l'incertitude", *path))
    for key in ("libelle", "note"):
        errors += internal_file_errors(doc, raw.get(key), what, (*path, key))
    series = _series(doc, what, raw, unit, path, errors)
    if series is None:
        return None
    return Parameter(id=param_id, label=str(raw.get("libelle", "")), unit=str(unit),
                     sources=source_ids, status=status, note=raw.get("note"), series=series,
                     period=period)


def _series(doc: YamlDoc, what: str, raw: dict[str, Any], unit: Any,
            path: tuple[str, ...], errors: list[ContentError]
            ) -> tuple[tuple[dt.date | None, Value], ...] | None:
    if ("valeur" in raw) == ("valeurs" in raw):
        errors.append(doc.error(f"{what} : il faut soit « valeur », soit « valeurs »", *path))
        return None
    if "valeur" in raw:
        value = raw["valeur"]
        if not _valid_value(value, unit):
            errors.append(doc.error(f"{what} : valeur « {value} » invalide pour l'unité {unit}",
                                    *path, "valeur"))
            return None
        return ((None, value),)
    items = raw["valeurs"]
    if not isinstance(items, list) or not items:
        errors.append(doc.error(f"{what} : « valeurs » doit être une liste non vide", *path))
        return None
    series: list[tuple[dt.date | None, Value]] = []
    for i, item in enumerate(items):
        ok = (isinstance(item, dict) and set(item) == {"depuis", "valeur"}
              and isinstance(item["depuis"], dt.date) and _valid_value(item["valeur"], unit))
        if not ok:
            errors.append(doc.error(f"{what} : chaque élément de « valeurs » doit avoir "
                                    "« depuis » (date AAAA-MM-JJ) et « valeur »",
                                    *path, "valeurs", i))
            return None
        series.append((item["depuis"], item["valeur"]))
    dates = [start for start, _ in series]
    if dates != sorted(dates) or len(set(dates)) != len(dates):  # type: ignore[type-var]
        errors.append(doc.error(f"{what} : « valeurs » doivent être classées par date",
                                *path, "valeurs"))
        return None
    return tuple(series)


def _valid_value(value: Any, unit: Any) -> bool:
    if unit == "date":
        return isinstance(value, dt.date)
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _territory(doc: YamlDoc, territory_id: str, raw: Any, params: dict[str, Parameter],
               errors: list[ContentError]) -> Territory | None:
    path = ("territoires", territory_id)
    what = f"territoire « {territory_id} »"
    if not isinstance(raw, dict):
        errors.append(doc.error(f"{what} : description attendue", *path))
        return None
    errors += _unknown_keys(doc, raw, {"nom", "code", "outre_mer", "fuseau",
                                       "subvention_public", "smic", "mots", "salaires_connus",
                                       "jours_feries"}, path)
    if raw.get("jours_feries") is not None and \
            raw["jours_feries"] not in holidays.France.subdivisions:
        errors.append(doc.error(f"{what} : « jours_feries » « {raw['jours_feries']} » inconnu "
                                f"(attendu : {', '.join(holidays.France.subdivisions)})",
                                *path, "jours_feries"))
    if not isinstance(raw.get("salaires_connus", True), bool):
        errors.append(doc.error(f"{what} : « salaires_connus » doit valoir true ou false",
                                *path, "salaires_connus"))
    count = len(errors)
    if not isinstance(raw.get("nom"), str):
        errors.append(doc.error(f"{what} : « nom » manquant", *path))
    if not isinstance(raw.get("outre_mer"), bool):
        errors.append(doc.error(f"{what} : « outre_mer » doit valoir true ou false", *path))
    try:
        ZoneInfo(str(raw.get("fuseau")))
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(doc.error(f"{what} : fuseau horaire « {raw.get('fuseau')} » inconnu",
                                *path, "fuseau"))
    for key in ("subvention_public", "smic"):
        ref = raw.get(key)
        if ref not in params:
            errors.append(doc.error(f"{what} : « {key} » doit nommer un paramètre existant "
                                    f"(« {ref} » inconnu)", *path, key))
        elif params[ref].unit != "euros":
            errors.append(doc.error(f"{what} : « {key} » doit nommer un montant en euros",
                                    *path, key))
    words = raw.get("mots", [])
    if not isinstance(words, list) or not all(isinstance(w, str | int) for w in words):
        errors.append(doc.error(f"{what} : « mots » doit être une liste", *path, "mots"))
    if len(errors) > count:
        return None
    return Territory(id=territory_id, name=raw["nom"], code=raw.get("code"),
                     overseas=raw["outre_mer"], timezone=raw["fuseau"],
                     subsidy_param=raw["subvention_public"], smic_param=raw["smic"],
                     words=tuple(str(w) for w in words),
                     wages_known=raw.get("salaires_connus", True),
                     holidays=raw.get("jours_feries"))
