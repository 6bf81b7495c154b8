"""Dialogue flows from flows/*.yaml: typed definitions, loaded and validated at start-up."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.core.yamlsource import ContentError, InvalidContent, YamlDoc, load_yaml
from bot.dialogue import choices
from bot.dialogue.choices import content_words
from bot.programme.flowrules import ACTIONS, REGISTRY, ActionSpec, Kind, RuleSpec
from bot.programme.params import Parameters

ASK_KINDS: Mapping[str, Kind] = {
    "choix": "choice", "entier": "int", "montant": "euros", "pourcentage": "percent",
    "date": "date"}
STEP_KINDS = (*ASK_KINDS, "message", "calcul", "recapitulatif")
COMMON_KEYS = {"id", "type", "suite"}
ASK_KEYS = {"question", "libelle", "aide", "passer_si_connu"}
KEYS = {
    "choix": ASK_KEYS | {"choix"},
    "entier": ASK_KEYS | {"min", "max", "defaut", "mots_defaut", "suggestions", "unite"},
    "montant": ASK_KEYS | {"min", "max", "defaut", "mots_defaut", "suggestions"},
    "pourcentage": ASK_KEYS | {"min", "max", "defaut", "mots_defaut", "suggestions"},
    "date": ASK_KEYS | {"min", "max", "sans_annee"},
    "message": {"texte", "source"},
    "calcul": {"regle"},
    "recapitulatif": {"texte", "source", "action", "bouton", "documents"},
}
# Files a recap may offer: YAML name → document kind (bot/documents/files.py)
DOCUMENT_NAMES = {"pdf": "pdf", "graphique": "chart", "deliberation": "deliberation"}
YEARLESS = ("derniere",)  # "12 mars" without a year: the latest 12 March up to today
FLOW_KEYS = {"id", "version", "titre", "aide", "premiere_etape", "etapes"}
ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:\.([a-z0-9_]+))?\}")
PARAMS_NAMESPACE = "parametres"
OPERATORS = ("egal", "different", "dans", "hors", "au_moins", "au_plus", "plus_de", "moins_de")
ORDERED_KINDS = frozenset({"int", "euros", "percent", "date"})
# A text that concludes against the structure: it must never rest on an uncertain parameter.
REJECTION = re.compile(r"n'(?:est|êtes) pas éligible|non éligible|❌")


@dataclass(frozen=True, slots=True)
class Ref:
    """A value written in a flow: a literal, a parameter, or an earlier answer or result."""

    source: Literal["literal", "param", "name"]
    value: Any


@dataclass(frozen=True, slots=True)
class Test:
    """One declarative test on an earlier answer or result (`name op operand`)."""

    name: str
    op: str
    operand: Ref | tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Branch:
    """Go to `target` when every test holds (no tests: always)."""

    tests: tuple[Test, ...]
    target: str


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of text, shown when every test holds."""

    text: str
    tests: tuple[Test, ...] = ()


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered as a button: the stored value, what the button says, and the words
    people type for it besides the label (« mots »)."""

    value: str
    label: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One step of a flow: ask (choice or typed value), say, compute, or recap."""

    id: str
    kind: str
    line: int
    label: str = ""
    text: tuple[Part, ...] = ()
    help: tuple[Part, ...] = ()
    options: tuple[Option, ...] = ()
    minimum: Ref | None = None
    maximum: Ref | None = None
    default: Ref | None = None
    default_words: tuple[str, ...] = ()  # typed words that mean the default (« mots_defaut »)
    suggestions: tuple[Ref, ...] = ()
    unit: tuple[str, str] | None = None
    rule: RuleSpec | None = None
    next: tuple[Branch, ...] = ()
    sources: tuple[str, ...] = ()
    skip_known: bool = False            # asked only when no answer is known yet (prefill)
    yearless: str | None = None         # date without a year: "derniere", or refused
    action: ActionSpec | None = None    # recap: what its confirm button does
    action_label: str = ""
    documents: tuple[str, ...] = ()     # recap: files offered (see bot/documents/files.py)

    @property
    def asks(self) -> bool:
        return self.kind in ASK_KINDS

    @property
    def terminal(self) -> bool:
        return self.kind == "recapitulatif"

    @property
    def value_kind(self) -> Kind:
        return ASK_KINDS[self.kind]

    def option(self, value: object) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """A validated flow: its steps by id (in file order) and the kind of every named value."""

    id: str
    version: int
    title: str
    first: str
    steps: dict[str, Step]
    kinds: dict[str, Kind]
    file: str
    help: str = ""  # its line in /aide and the command menu (« aide »); else the title

    def step_at(self, index: int) -> Step | None:
        order = list(self.steps)
        return self.steps[order[index]] if 0 <= index < len(order) else None

    def index(self, step_id: str) -> int:
        return list(self.steps).index(step_id)

    def step_of(self, name: str) -> Step | None:
        """The asking step whose answer is `name`, if any."""
        step = self.steps.get(name)
        return step if step is not None and step.asks else None


def load_flows(flows_dir: Path | None, params: Parameters,
               rules: Mapping[str, RuleSpec] = REGISTRY,
               actions: Mapping[str, ActionSpec] = ACTIONS, *,
               commands: Mapping[str, str] | None = None) -> dict[str, Flow]:
    """Load and validate every flows/*.yaml; raise InvalidContent listing every problem.
    `commands` (name → the feature that declares it) are names a flow id may not take."""
    if flows_dir is None or not flows_dir.is_dir():
        return {}
    errors: list[ContentError] = []
    flows: dict[str, Flow] = {}
    for path in sorted(flows_dir.glob("*.yaml")):
        try:
            doc = load_yaml(path)
        except InvalidContent as exc:
            errors += exc.errors
            continue
        flow = _Loader(doc, params, rules, errors, actions, commands or {}).flow()
        if flow is None:
            continue
        if flow.id in flows:
            errors.append(doc.error(f"questionnaire « {flow.id} » en double (déjà dans "
                                    f"{flows[flow.id].file})", "id"))
            continue
        flows[flow.id] = flow
    if errors:
        raise InvalidContent(errors)
    return flows


class _Loader:
    """Validates one flow file into a Flow, appending `file:line` errors."""

    def __init__(self, doc: YamlDoc, params: Parameters, rules: Mapping[str, RuleSpec],
                 errors: list[ContentError],
                 actions: Mapping[str, ActionSpec] = ACTIONS,
                 commands: Mapping[str, str] | None = None) -> None:
        self.doc = doc
        self.commands = commands or {}
        self.params = params
        self.rules = rules
        self.actions = actions
        self.errors = errors
        self.broken: set[str] = set()  # steps with errors: not "unknown" when named again

    def error(self, message: str, *path: str | int) -> None:
        self.errors.append(self.doc.error(message, *path))

    def flow(self) -> Flow | None:
        data = self.doc.data
        if not isinstance(data, dict):
            self.error("un questionnaire doit avoir « id », « version », « titre », "
                       "« premiere_etape » et « etapes »")
            return None
        count = len(self.errors)
        for key in data:
            if key not in FLOW_KEYS:
                self.error(f"clé inconnue « {key} » (attendu : {', '.join(sorted(FLOW_KEYS))})",
                           key)
        flow_id = data.get("id")
        if not isinstance(flow_id, str) or not ID.match(flow_id):
            self.error("« id » manquant ou invalide (minuscules, chiffres et _, 32 caractères "
                       "au plus) : c'est aussi la commande qui lance le questionnaire", "id")
        elif flow_id in self.commands:
            self.error(f"« id » : /{flow_id} est déjà une commande "
                       f"({self.commands[flow_id]}) : choisissez un autre identifiant", "id")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.error("« version » doit être un entier positif (augmentez-la à chaque "
                       "changement des étapes)", "version")
        if not isinstance(data.get("titre"), str) or not data["titre"].strip():
            self.error("« titre » manquant", "titre")
        if not isinstance(data.get("aide", ""), str):
            self.error("« aide » : la ligne de la commande dans /aide, un texte", "aide")
        raw_steps = data.get("etapes")
        if not isinstance(raw_steps, list) or not raw_steps:
            self.error("« etapes » doit être une liste non vide", "etapes")
            return None
        steps = self._steps(raw_steps)
        first = data.get("premiere_etape")
        if first in self.broken:
            return None
        if first not in steps:
            self.error(f"« premiere_etape » : étape « {first} » inconnue", "premiere_etape")
            return None
        if len(self.errors) > count:
            return None
        kinds = self._kinds(steps)
        self._check_graph(steps, first)
        if len(self.errors) > count:
            return None
        _Names(self, steps, first, kinds).check()
        self._check_certainty(steps)
        if len(self.errors) > count:
            return None
        return Flow(id=flow_id, version=version, title=data["titre"].strip(), first=first,
                    steps=steps, kinds=kinds, file=self.doc.file,
                    help=data.get("aide", "").strip())

    # --- steps -------------------------------------------------------------------------

    def _steps(self, raw_steps: list[Any]) -> dict[str, Step]:
        steps: dict[str, Step] = {}
        for index, raw in enumerate(raw_steps):
            step = self._step(index, raw)
            if step is None:
                continue
            if step.id in steps:
                self.error(f"étape « {step.id} » en double (déjà ligne "
                           f"{steps[step.id].line})", "etapes", index, "id")
                continue
            steps[step.id] = step
        for step in steps.values():
            for b, branch in enumerate(step.next):
                if branch.target not in steps and branch.target not in self.broken:
                    where = ("suite",) if len(step.next) == 1 and not branch.tests \
                        else ("suite", b, "aller")
                    self.error(f"étape « {step.id} » : étape cible « {branch.target} » inconnue",
                               "etapes", self._raw_index(step), *where)
        return steps

    def _raw_index(self, step: Step) -> int:
        for index, raw in enumerate(self.doc.data["etapes"]):
            if isinstance(raw, dict) and raw.get("id") == step.id:
                return index
        return 0

    def _step(self, index: int, raw: Any) -> Step | None:
        path: tuple[str | int, ...] = ("etapes", index)
        if not isinstance(raw, dict):
            self.error("étape attendue (« id », « type »…)", *path)
            return None
        step_id, kind = raw.get("id"), raw.get("type")
        if not isinstance(step_id, str) or not ID.match(step_id) or step_id == PARAMS_NAMESPACE:
            self.error("« id » d'étape manquant ou invalide (minuscules, chiffres et _, "
                       "32 caractères au plus)", *path, "id")
            return None
        what = f"étape « {step_id} »"
        count = len(self.errors)
        if kind not in STEP_KINDS:
            self.broken.add(step_id)
            self.error(f"{what} : type « {kind} » inconnu (attendu : {', '.join(STEP_KINDS)})",
                       *path, "type")
            return None
        allowed = COMMON_KEYS | KEYS[kind]
        if kind == "recapitulatif":
            allowed = allowed - {"suite"}
        for key in raw:
            if key not in allowed:
                self.error(f"{what} : clé inconnue « {key} » pour le type {kind} (attendu : "
                           f"{', '.join(sorted(allowed))})", *path, key)
        fields: dict[str, Any] = {"id": step_id, "kind": kind, "line": self.doc.line(*path)}
        if kind in ASK_KINDS:
            fields["text"] = self._text(raw.get("question"), what, "question", path,
                                        required=True)
            fields["help"] = self._text(raw.get("aide"), what, "aide", path)
            label = raw.get("libelle")
            if not isinstance(label, str) or not label.strip():
                self.error(f"{what} : « libelle » manquant (il nomme la réponse dans le "
                           "récapitulatif)", *path)
            else:
                fields["label"] = label.strip()
        self._extras(raw, kind, what, path, fields)
        if kind == "choix":
            fields["options"] = self._options(raw.get("choix"), what, path)
        if kind in ("entier", "montant", "pourcentage", "date"):
            for key, name in (("min", "minimum"), ("max", "maximum"), ("defaut", "default")):
                if key in raw:
                    fields[name] = self._ref(raw[key], what, (*path, key), kind)
            if "mots_defaut" in raw:
                if "defaut" not in raw:
                    self.error(f"{what} : « mots_defaut » sans « defaut »", *path, "mots_defaut")
                fields["default_words"] = self._words(raw["mots_defaut"], what,
                                                      (*path, "mots_defaut"))
            suggestions = raw.get("suggestions", [])
            if not isinstance(suggestions, list):
                self.error(f"{what} : « suggestions » doit être une liste", *path, "suggestions")
            else:
                fields["suggestions"] = tuple(
                    r for i, s in enumerate(suggestions)
                    if (r := self._ref(s, what, (*path, "suggestions", i), kind)) is not None)
        if kind == "entier" and "unite" in raw:
            fields["unit"] = self._unit(raw["unite"], what, path)
        if kind in ("message", "recapitulatif"):
            fields["text"] = self._text(raw.get("texte"), what, "texte", path,
                                        required=kind == "message")
            fields["sources"] = self._sources(raw.get("source"), what, path)
        if kind != "recapitulatif":
            fields["next"] = self._next(raw.get("suite"), what, path)
        if len(self.errors) > count:
            self.broken.add(step_id)
            return None
        return Step(**fields)

    def _extras(self, raw: dict[str, Any], kind: str, what: str, path: tuple[str | int, ...],
                fields: dict[str, Any]) -> None:
        """The rule of a calcul; optional keys: passer_si_connu, sans_annee (dates), action
        and bouton (recap)."""
        if kind == "calcul":
            name = raw.get("regle")
            if name not in self.rules:
                self.error(f"{what} : règle inconnue « {name} » (règles connues : "
                           f"{', '.join(sorted(self.rules))})", *path, "regle")
            else:
                fields["rule"] = self.rules[name]
        if kind in ASK_KINDS and "passer_si_connu" in raw:
            if not isinstance(raw["passer_si_connu"], bool):
                self.error(f"{what} : « passer_si_connu » vaut true ou false", *path,
                           "passer_si_connu")
            else:
                fields["skip_known"] = raw["passer_si_connu"]
        if kind == "date" and "sans_annee" in raw:
            if raw["sans_annee"] not in YEARLESS:
                self.error(f"{what} : « sans_annee » : {', '.join(YEARLESS)} (une date sans "
                           "année est alors la plus récente, jusqu'à aujourd'hui)", *path,
                           "sans_annee")
            else:
                fields["yearless"] = raw["sans_annee"]
        if kind == "recapitulatif" and "documents" in raw:
            names = raw["documents"]
            if not isinstance(names, list) or not names or \
                    any(name not in DOCUMENT_NAMES for name in names):
                self.error(f"{what} : « documents » : liste parmi "
                           f"{', '.join(DOCUMENT_NAMES)}", *path, "documents")
            else:
                fields["documents"] = tuple(DOCUMENT_NAMES[name] for name in names)
        if kind == "recapitulatif" and ("action" in raw or "bouton" in raw):
            name, button = raw.get("action"), raw.get("bouton")
            if name not in self.actions:
                self.error(f"{what} : action inconnue « {name} » (actions connues : "
                           f"{', '.join(sorted(self.actions)) or 'aucune'})", *path, "action")
            else:
                fields["action"] = self.actions[name]
            if not isinstance(button, str) or not button.strip():
                self.error(f"{what} : « bouton » manquant : le libellé du bouton qui lance "
                           "l'action", *path)
            else:
                fields["action_label"] = button.strip()

    def _text(self, raw: Any, what: str, key: str, path: tuple[str | int, ...], *,
              required: bool = False) -> tuple[Part, ...]:
        if raw is None:
            if required:
                self.error(f"{what} : « {key} » manquant", *path)
            return ()
        items = raw if isinstance(raw, list) else [raw]
        parts = []
        for i, item in enumerate(items):
            where = (*path, key, i) if isinstance(raw, list) else (*path, key)
            if isinstance(item, str) and (item.strip() or isinstance(raw, list)):
                parts.append(Part(item.strip()))
            elif isinstance(item, dict) and set(item) == {"si", "texte"} and \
                    isinstance(item["texte"], str):
                parts.append(Part(item["texte"].strip(),
                                  self._tests(item["si"], what, (*where, "si"))))
            else:
                self.error(f"{what} : « {key} » doit être un texte, ou une liste de textes et "
                           "de blocs « si: … / texte: … »", *where)
        return tuple(parts)

    def _words(self, raw: Any, what: str, path: tuple[str | int, ...]) -> tuple[str, ...]:
        """A list of words or short phrases people type (« mots », « mots_defaut »)."""
        bad = [w for w in raw if not isinstance(w, str) or not content_words(w)] \
            if isinstance(raw, list) else [raw]
        if bad or not raw:
            shown = f" (refusé : {', '.join(repr(w) for w in bad)} ; en YAML, yes, no, on et "\
                "off sont des booléens : mettez-les entre guillemets)" if bad else ""
            self.error(f"{what} : « {path[-1]} » doit être une liste de mots (ce que tapent "
                       f"les usagers, par exemple [asso, association]){shown}", *path)
            return ()
        return tuple(w.strip() for w in raw)

    def _distinct_words(self, options: list[Option], what: str,
                        path: tuple[str | int, ...]) -> None:
        """A word typed for one choice must not name another one of the same question."""
        for i, option in enumerate(options):
            for j, word in enumerate(option.words):
                others = [o for o in options if o is not option]
                found = choices.match(word, [choices.Choice(o.value, o.label, o.words)
                                             for o in others])
                if found is not None:
                    self.error(f"{what} : le mot « {word} » du choix « {option.value} » désigne "
                               f"aussi le choix « {found} »", *path, "choix", i, "mots", j)

    def _options(self, raw: Any, what: str, path: tuple[str | int, ...]) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            self.error(f"{what} : « choix » doit être une liste non vide", *path, "choix")
            return ()
        options: list[Option] = []
        for i, item in enumerate(raw):
            where = (*path, "choix", i)
            if not isinstance(item, dict):
                self.error(f"{what} : chaque choix a une « valeur » et un « libelle »", *where)
                continue
            value, label = item.get("valeur"), item.get("libelle")
            for key in item:
                if key not in ("valeur", "libelle", "mots"):
                    self.error(f"{what} : clé inconnue « {key} » dans un choix", *where, key)
            if not isinstance(value, str) or not ID.match(value):
                self.error(f"{what} : « valeur » de choix manquante ou invalide (minuscules, "
                           "chiffres et _)", *where)
                continue
            if not isinstance(label, str) or not label.strip():
                self.error(f"{what} : le choix « {value} » n'a pas de « libelle »", *where)
                continue
            if any(o.value == value for o in options):
                self.error(f"{what} : choix « {value} » en double", *where, "valeur")
                continue
            words = self._words(item["mots"], what, (*where, "mots")) if "mots" in item else ()
            options.append(Option(value, label.strip(), words))
        self._distinct_words(options, what, path)
        return tuple(options)

    def _ref(self, raw: Any, what: str, path: tuple[str | int, ...], kind: str) -> Ref | None:
        if isinstance(raw, dict) and len(raw) == 1:
            (key, value), = raw.items()
            if key == "parametre":
                if value not in self.params:
                    self.error(f"{what} : paramètre inconnu « {value} » (voir "
                               "knowledge/parametres.yaml)", *path)
                    return None
                return Ref("param", value)
            if key == "valeur" and isinstance(value, str):
                return Ref("name", value)
        literal_ok = (isinstance(raw, dt.date) if kind == "date" else
                      isinstance(raw, int | float) and not isinstance(raw, bool))
        if literal_ok:
            return Ref("literal", raw)
        expected = "un nombre ou une date" if kind == "date" else "un nombre"
        self.error(f"{what} : valeur attendue : {expected}, « {{parametre: nom}} » ou "
                   "« {valeur: réponse_ou_résultat} »", *path)
        return None

    def _unit(self, raw: Any, what: str, path: tuple[str | int, ...]) -> tuple[str, str] | None:
        if isinstance(raw, str) and raw.strip():
            return (raw.strip(), raw.strip() if raw.strip().endswith(("s", "x")) else
                    raw.strip() + "s")
        if isinstance(raw, list) and len(raw) == 2 and all(isinstance(u, str) for u in raw):
            return (raw[0], raw[1])
        self.error(f"{what} : « unite » : un mot (« poste ») ou [singulier, pluriel]",
                   *path, "unite")
        return None

    def _sources(self, raw: Any, what: str, path: tuple[str | int, ...]) -> tuple[str, ...]:
        if raw is None:
            return ()
        ids = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else None
        if not ids:
            self.error(f"{what} : « source » doit être une liste d'identifiants", *path,
                       "source")
            return ()
        for source in ids:
            if source not in self.params.sources:
                self.error(f"{what} : source inconnue « {source} » (voir "
                           "knowledge/sources.yaml)", *path, "source")
        return tuple(str(s) for s in ids)

    def _next(self, raw: Any, what: str, path: tuple[str | int, ...]) -> tuple[Branch, ...]:
        if isinstance(raw, str):
            return (Branch((), raw),)
        if not isinstance(raw, list) or not raw:
            self.error(f"{what} : « suite » manquante : le nom de l'étape suivante, ou une "
                       "liste de « si: … / aller: … » finie par un « aller: … » sans condition",
                       *path)
            return ()
        branches = []
        for i, item in enumerate(raw):
            where = (*path, "suite", i)
            if not isinstance(item, dict) or not isinstance(item.get("aller"), str) or \
                    set(item) - {"si", "aller"}:
                self.error(f"{what} : chaque élément de « suite » a « aller » (et "
                           "éventuellement « si »)", *where)
                continue
            tests = self._tests(item["si"], what, (*where, "si")) if "si" in item else ()
            branches.append(Branch(tests, item["aller"]))
        if branches and branches[-1].tests:
            self.error(f"{what} : la dernière « suite » doit être sans condition (« aller: … » "
                       "seul), pour qu'il y ait toujours une étape suivante", *path, "suite")
        return tuple(branches)

    def _tests(self, raw: Any, what: str, path: tuple[str | int, ...]) -> tuple[Test, ...]:
        if not isinstance(raw, dict) or not raw:
            self.error(f"{what} : « si » doit associer une réponse à une valeur "
                       "(« si: {structure: commune} »)", *path)
            return ()
        tests = []
        for name, test in raw.items():
            if isinstance(test, dict):
                if len(test) != 1 or next(iter(test)) not in OPERATORS:
                    self.error(f"{what} : condition sur « {name} » : un seul opérateur parmi "
                               f"{', '.join(OPERATORS)}", *path, name)
                    continue
                (op, operand), = test.items()
            else:
                op, operand = "egal", test
            if op in ("dans", "hors"):
                if not isinstance(operand, list) or not operand:
                    self.error(f"{what} : « {op} » attend une liste de valeurs", *path, name)
                    continue
                tests.append(Test(str(name), op, tuple(operand)))
                continue
            ref = self._operand(operand, what, (*path, name))
            if ref is not None:
                tests.append(Test(str(name), op, ref))
        return tuple(tests)

    def _operand(self, raw: Any, what: str, path: tuple[str | int, ...]) -> Ref | None:
        if isinstance(raw, dict):
            return self._ref(raw, what, path, "nombre")
        if isinstance(raw, str | int | float | bool | dt.date):
            return Ref("literal", raw)
        self.error(f"{what} : valeur de condition invalide", *path)
        return None

    # --- graph -------------------------------------------------------------------------

    def _kinds(self, steps: dict[str, Step]) -> dict[str, Kind]:
        kinds: dict[str, Kind] = {}
        for step in steps.values():
            if step.asks:
                kinds[step.id] = step.value_kind
            elif step.rule is not None:
                for name, kind in step.rule.outputs.items():
                    if name in steps and steps[name].asks:
                        self.error(f"étape « {step.id} » : la règle « {step.rule.name} » "
                                   f"produit « {name} », qui est déjà une réponse",
                                   "etapes", self._raw_index(step), "regle")
                    kinds[name] = kind
        return kinds

    def _uncertain_param_ids(self, text: str) -> list[str]:
        return [attr for name, attr in PLACEHOLDER.findall(text)
                if name == PARAMS_NAMESPACE and attr in self.params
                and self.params[attr].uncertain]

    def _check_certainty(self, steps: dict[str, Step]) -> None:
        """No "non éligible" (from a rule or in a text) resting on an uncertain parameter."""
        basis = {step.id: found[0] for step in steps.values() if step.asks
                 if (found := [p for part in step.text
                               for p in self._uncertain_param_ids(part.text)])}
        for step in steps.values():
            index = self._raw_index(step)
            rule = step.rule
            for name, param in basis.items():
                if rule is not None and rule.rejects and name in rule.inputs and \
                        rule.guards.get(name) != param:
                    outcome = ", ".join(rule.rejects.values())
                    self.error(f"étape « {step.id} » : la règle « {rule.name} » peut conclure "
                               f"« {outcome} » sur la réponse « {name} », demandée avec le "
                               f"paramètre INCERTAIN « {param} » : un résultat ne repose "
                               "jamais sur un paramètre incertain seul (« à vérifier »)",
                               "etapes", index, "regle")
            for i, part in enumerate(() if step.asks else step.text):
                resting = [*self._uncertain_param_ids(part.text),
                           *(basis[t.name] for t in part.tests if t.name in basis)]
                if resting and REJECTION.search(part.text):
                    self.error(f"étape « {step.id} » : conclusion « non éligible » qui repose "
                               f"sur le paramètre INCERTAIN « {resting[0]} » : dites "
                               "« à vérifier » et pourquoi", "etapes", index, "texte", i)

    def _check_graph(self, steps: dict[str, Step], first: str) -> None:
        reached = reachable(steps, first, ())
        for step in steps.values():
            if step.id not in reached:
                self.error(f"étape « {step.id} » inaccessible : aucune « suite » n'y mène "
                           f"depuis « {first} »", "etapes", self._raw_index(step), "id")
        if not any(steps[s].terminal for s in reached):
            self.error("aucune étape « recapitulatif » : un questionnaire finit toujours sur "
                       "un récapitulatif", "etapes")
        for cycle in cycles(steps):
            exits = any(b.target not in cycle for s in cycle for b in steps[s].next)
            names = " → ".join([*cycle, cycle[0]])
            start = steps[cycle[0]]
            if exits:
                self.error(f"boucle {names} : une étape ne peut pas ramener à une étape déjà "
                           "passée (le bouton « ⬅ Retour » s'en charge)",
                           "etapes", self._raw_index(start), "suite")
            else:
                self.error(f"boucle sans sortie {names} : le questionnaire n'arriverait jamais "
                           "au récapitulatif", "etapes", self._raw_index(start), "suite")


class _Names:
    """Checks every placeholder, condition and rule input names a value known at that step."""

    def __init__(self, loader: _Loader, steps: dict[str, Step], first: str,
                 kinds: dict[str, Kind]) -> None:
        self.loader = loader
        self.steps = steps
        self.first = first
        self.kinds = kinds
        self.definers: dict[str, set[str]] = {}
        for step in steps.values():
            if step.asks:
                self.definers.setdefault(step.id, set()).add(step.id)
            elif step.rule is not None:
                for name in step.rule.outputs:
                    self.definers.setdefault(name, set()).add(step.id)
        self._unguarded: dict[str, frozenset[str]] = {}

    def unguarded(self, name: str) -> frozenset[str]:
        """Steps reachable from the first one before `name` is known."""
        if name not in self._unguarded:
            self._unguarded[name] = reachable(self.steps, self.first,
                                              tuple(self.definers.get(name, ())))
        return self._unguarded[name]

    def check(self) -> None:
        for step in self.steps.values():
            index = self.loader._raw_index(step)
            for key, parts in (("question" if step.asks else "texte", step.text),
                               ("aide", step.help)):
                for part in parts:
                    tested = {t.name for t in part.tests if t.op not in ("different", "hors")}
                    self._text(step, part.text, index, key, tested)
                    self._tests(step, part.tests, index, key)
            for key, ref in (("min", step.minimum), ("max", step.maximum),
                             ("defaut", step.default)):
                if ref is not None and ref.source == "name":
                    self._known(step, ref.value, index, key)
            for i, ref in enumerate(step.suggestions):
                if ref.source == "name":
                    self._known(step, ref.value, index, ("suggestions", i))
            for branch in step.next:
                self._tests(step, branch.tests, index, "suite")
            if step.rule is not None:
                self._rule(step, index)
            if step.action is not None:
                for name in sorted(set(step.action.inputs) - step.action.optional):
                    self._known(step, name, index, "action")

    def _exists(self, step: Step, name: str, path: tuple[Any, ...]) -> bool:
        if name not in self.kinds:
            self.loader.error(f"étape « {step.id} » : « {{{name}}} » inconnu : ce n'est ni "
                              "une réponse ni un résultat de règle de ce questionnaire", *path)
            return False
        return True

    def _known(self, step: Step, name: str, index: int, key: str | tuple[Any, ...]) -> bool:
        """`name` exists and every path to `step` gives it a value before the step."""
        path = ("etapes", index, *(key if isinstance(key, tuple) else (key,)))
        if not self._exists(step, name, path):
            return False
        if step.id in self.unguarded(name):
            self.loader.error(f"étape « {step.id} » : « {name} » peut ne pas être encore connu "
                              "à cette étape (un chemin y mène sans passer par l'étape qui le "
                              "donne)", *path)
            return False
        return True

    def _text(self, step: Step, text: str, index: int, key: str, tested: set[str]) -> None:
        for match in PLACEHOLDER.finditer(text):
            name, attribute = match.groups()
            if name == PARAMS_NAMESPACE:
                if attribute not in self.loader.params:
                    self.loader.error(f"étape « {step.id} » : paramètre inconnu "
                                      f"« {{{name}.{attribute}}} » (voir "
                                      "knowledge/parametres.yaml)", "etapes", index, key)
                continue
            if attribute is not None:
                self.loader.error(f"étape « {step.id} » : « {match.group(0)} » : seuls les "
                                  "paramètres s'écrivent avec un point ({parametres.nom})",
                                  "etapes", index, key)
                continue
            if name in tested:
                self._exists(step, name, ("etapes", index, key))
            else:
                self._known(step, name, index, key)
        leftover = PLACEHOLDER.sub("", text)
        if "{" in leftover or "}" in leftover:
            self.loader.error(f"étape « {step.id} » : accolade hors d'un nom reconnu (forme "
                              "attendue : {reponse} ou {parametres.nom})", "etapes", index, key)

    def _tests(self, step: Step, tests: Iterable[Test], index: int, key: str) -> None:
        """Conditions may test answers that are not always given (unknown never matches)."""
        for test in tests:
            if not self._exists(step, test.name, ("etapes", index, key)):
                continue
            kind = self.kinds[test.name]
            asked = self.steps.get(test.name)
            if test.op in ("au_moins", "au_plus", "plus_de", "moins_de") and \
                    kind not in ORDERED_KINDS:
                self.loader.error(f"étape « {step.id} » : « {test.op} » compare des nombres "
                                  f"ou des dates, pas « {test.name} »", "etapes", index, key)
            if kind == "choice" and asked is not None:
                values = test.operand if isinstance(test.operand, tuple) else \
                    (test.operand.value,) if test.operand.source == "literal" else ()
                for value in values:
                    if asked.option(value) is None:
                        self.loader.error(
                            f"étape « {step.id} » : « {value} » n'est pas un choix de "
                            f"« {test.name} » (choix : "
                            f"{', '.join(o.value for o in asked.options)})",
                            "etapes", index, key)

    def _rule(self, step: Step, index: int) -> None:
        rule = step.rule
        assert rule is not None
        allowed = rule.allowed(self.loader.params)
        for name, kind in rule.inputs.items():
            required = name not in rule.optional
            if name not in self.kinds:
                if required:
                    self.loader.error(f"étape « {step.id} » : la règle « {rule.name} » a besoin "
                                      f"de la réponse « {name} », que ce questionnaire ne "
                                      "demande pas", "etapes", index, "regle")
                continue
            if required:
                self._known(step, name, index, "regle")
            if self.kinds[name] != kind:
                self.loader.error(f"étape « {step.id} » : la règle « {rule.name} » attend pour "
                                  f"« {name} » une valeur de type {kind}, pas "
                                  f"{self.kinds[name]}", "etapes", index, "regle")
                continue
            asked = self.steps.get(name)
            if name in allowed and asked is not None:
                for option in asked.options:
                    if option.value not in allowed[name]:
                        self.loader.error(
                            f"étape « {name} » : la règle « {rule.name} » ne connaît pas le "
                            f"choix « {option.value} » (connus : "
                            f"{', '.join(sorted(allowed[name]))})",
                            "etapes", self.loader._raw_index(asked), "choix")


def reachable(steps: Mapping[str, Step], first: str, stop_at: Iterable[str]) -> frozenset[str]:
    """Steps reachable from `first`; the steps in `stop_at` are reached but not crossed."""
    stops = set(stop_at)
    seen = {first}
    todo = [first]
    while todo:
        current = todo.pop()
        if current in stops:
            continue
        for branch in steps[current].next:
            if branch.target in steps and branch.target not in seen:
                seen.add(branch.target)
                todo.append(branch.target)
    return frozenset(seen)


def cycles(steps: Mapping[str, Step]) -> list[list[str]]:
    """Strongly connected groups of steps that form a loop (Tarjan), in file order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for branch in steps[node].next:
            target = branch.target
            if target not in steps:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            looping = len(group) > 1 or any(b.target == node for b in steps[node].next)
            if looping:
                order = list(steps)
                found.append(sorted(group, key=order.index))

    for node in steps:
        if node not in index:
            visit(node)
    return found
