"""Dialogue flows from flows/*.yaml: read, validated (with bot/dialogue/checks.py) and
translated once into the English model of bot/dialogue/model.py; errors are file:line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.core.yamlsource import ContentError, InvalidContent, YamlDoc, load_yaml
from bot.dialogue import checks, choices
from bot.dialogue.choices import content_words
from bot.dialogue.model import (
    ASKING,
    PARAMS_NAMESPACE,
    Branch,
    Flow,
    Operator,
    Option,
    Part,
    Ref,
    Step,
    StepKind,
    Test,
)
from bot.programme.flowrules import ACTIONS, REGISTRY, ActionSpec, RuleSpec
from bot.programme.params import Parameters

# The YAML's French vocabulary, translated here and nowhere else.
STEP_KINDS = {"choix": StepKind.CHOICE, "entier": StepKind.INT,
              "montant": StepKind.EUROS,
              "pourcentage": StepKind.PERCENT, "date": StepKind.DATE,
              "message": StepKind.MESSAGE, "calcul": StepKind.COMPUTE,
              "recapitulatif": StepKind.RECAP}
OPERATORS = {"egal": Operator.EQUAL, "different": Operator.NOT_EQUAL, "dans": Operator.IN,
             "hors": Operator.NOT_IN, "au_moins": Operator.AT_LEAST,
             "au_plus": Operator.AT_MOST, "plus_de": Operator.MORE_THAN,
             "moins_de": Operator.LESS_THAN}
OPERATOR_NAMES = {op: name for name, op in OPERATORS.items()}
VALUED = frozenset({StepKind.INT, StepKind.EUROS, StepKind.PERCENT, StepKind.DATE})
COMMON_KEYS = {"id", "type", "suite"}
ASK_KEYS = {"question", "libelle", "aide", "passer_si_connu"}
KEYS = {
    StepKind.CHOICE: ASK_KEYS | {"choix"},
    StepKind.INT: ASK_KEYS | {"min", "max", "defaut", "mots_defaut", "suggestions", "unite"},
    StepKind.EUROS: ASK_KEYS | {"min", "max", "defaut", "mots_defaut", "suggestions"},
    StepKind.PERCENT: ASK_KEYS | {"min", "max", "defaut", "mots_defaut", "suggestions"},
    StepKind.DATE: ASK_KEYS | {"min", "max", "sans_annee"},
    StepKind.MESSAGE: {"texte", "source"},
    StepKind.COMPUTE: {"regle"},
    StepKind.RECAP: {"texte", "source", "action", "bouton", "documents"},
}
# Files a recap may offer: YAML name → document kind (bot/documents/files.py)
DOCUMENT_NAMES = {"pdf": "pdf", "graphique": "chart", "deliberation": "deliberation"}
YEARLESS = ("derniere",)  # "12 mars" without a year: the latest 12 March up to today
FLOW_KEYS = {"id", "version", "titre", "aide", "premiere_etape", "etapes"}
ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


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

    @staticmethod
    def yaml_name(op: Operator) -> str:
        """An operator as the flow file writes it (for messages)."""
        return OPERATOR_NAMES[op]

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
        kinds = checks.value_kinds(self, steps)
        checks.check_graph(self, steps, first)
        if len(self.errors) > count:
            return None
        checks.Names(self, steps, first, kinds).check()
        checks.check_certainty(self, steps)
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
                               "etapes", self.raw_index(step), *where)
        return steps

    def raw_index(self, step: Step) -> int:
        for index, raw in enumerate(self.doc.data["etapes"]):
            if isinstance(raw, dict) and raw.get("id") == step.id:
                return index
        return 0

    def _step(self, index: int, raw: Any) -> Step | None:
        path: tuple[str | int, ...] = ("etapes", index)
        if not isinstance(raw, dict):
            self.error("étape attendue (« id », « type »…)", *path)
            return None
        step_id, yaml_kind = raw.get("id"), raw.get("type")
        if not isinstance(step_id, str) or not ID.match(step_id) or step_id == PARAMS_NAMESPACE:
            self.error("« id » d'étape manquant ou invalide (minuscules, chiffres et _, "
                       "32 caractères au plus)", *path, "id")
            return None
        what = f"étape « {step_id} »"
        count = len(self.errors)
        if yaml_kind not in STEP_KINDS:
            self.broken.add(step_id)
            self.error(f"{what} : type « {yaml_kind} » inconnu (attendu : "
                       f"{', '.join(STEP_KINDS)})", *path, "type")
            return None
        kind = STEP_KINDS[yaml_kind]
        allowed = COMMON_KEYS | KEYS[kind]
        if kind is StepKind.RECAP:
            allowed = allowed - {"suite"}
        for key in raw:
            if key not in allowed:
                self.error(f"{what} : clé inconnue « {key} » pour le type {yaml_kind} (attendu : "
                           f"{', '.join(sorted(allowed))})", *path, key)
        fields: dict[str, Any] = {"id": step_id, "kind": kind, "line": self.doc.line(*path)}
        if kind in ASKING:
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
        if kind is StepKind.CHOICE:
            fields["options"] = self._options(raw.get("choix"), what, path)
        if kind in VALUED:
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
        if kind is StepKind.INT and "unite" in raw:
            fields["unit"] = self._unit(raw["unite"], what, path)
        if kind in (StepKind.MESSAGE, StepKind.RECAP):
            fields["text"] = self._text(raw.get("texte"), what, "texte", path,
                                        required=kind is StepKind.MESSAGE)
            fields["sources"] = self._sources(raw.get("source"), what, path)
        if kind is not StepKind.RECAP:
            fields["next"] = self._next(raw.get("suite"), what, path)
        if len(self.errors) > count:
            self.broken.add(step_id)
            return None
        return Step(**fields)

    def _extras(self, raw: dict[str, Any], kind: StepKind, what: str, path: tuple[str | int, ...],
                fields: dict[str, Any]) -> None:
        """The rule of a calcul; optional keys: passer_si_connu, sans_annee (dates), action
        and bouton (recap)."""
        if kind is StepKind.COMPUTE:
            name = raw.get("regle")
            if name not in self.rules:
                self.error(f"{what} : règle inconnue « {name} » (règles connues : "
                           f"{', '.join(sorted(self.rules))})", *path, "regle")
            else:
                fields["rule"] = self.rules[name]
        if kind in ASKING and "passer_si_connu" in raw:
            if not isinstance(raw["passer_si_connu"], bool):
                self.error(f"{what} : « passer_si_connu » vaut true ou false", *path,
                           "passer_si_connu")
            else:
                fields["skip_known"] = raw["passer_si_connu"]
        if kind is StepKind.DATE and "sans_annee" in raw:
            if raw["sans_annee"] not in YEARLESS:
                self.error(f"{what} : « sans_annee » : {', '.join(YEARLESS)} (une date sans "
                           "année est alors la plus récente, jusqu'à aujourd'hui)", *path,
                           "sans_annee")
            else:
                fields["latest_if_yearless"] = True
        if kind is StepKind.RECAP and "documents" in raw:
            names = raw["documents"]
            if not isinstance(names, list) or not names or \
                    any(name not in DOCUMENT_NAMES for name in names):
                self.error(f"{what} : « documents » : liste parmi "
                           f"{', '.join(DOCUMENT_NAMES)}", *path, "documents")
            else:
                fields["documents"] = tuple(DOCUMENT_NAMES[name] for name in names)
        if kind is StepKind.RECAP and ("action" in raw or "bouton" in raw):
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

    def _ref(self, raw: Any, what: str, path: tuple[str | int, ...],
             kind: StepKind | None) -> Ref | None:
        """A bound, default or operand: a parameter, an earlier value, or a literal (a date
        for a date step, else a number; `kind` None: a condition's number)."""
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
        literal_ok = (isinstance(raw, dt.date) if kind is StepKind.DATE else
                      isinstance(raw, int | float) and not isinstance(raw, bool))
        if literal_ok:
            return Ref("literal", raw)
        expected = "un nombre ou une date" if kind is StepKind.DATE else "un nombre"
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
            if OPERATORS[op] in (Operator.IN, Operator.NOT_IN):
                if not isinstance(operand, list) or not operand:
                    self.error(f"{what} : « {op} » attend une liste de valeurs", *path, name)
                    continue
                tests.append(Test(str(name), OPERATORS[op], tuple(operand)))
                continue
            ref = self._operand(operand, what, (*path, name))
            if ref is not None:
                tests.append(Test(str(name), OPERATORS[op], ref))
        return tuple(tests)

    def _operand(self, raw: Any, what: str, path: tuple[str | int, ...]) -> Ref | None:
        if isinstance(raw, dict):
            return self._ref(raw, what, path, None)
        if isinstance(raw, str | int | float | bool | dt.date):
            return Ref("literal", raw)
        self.error(f"{what} : valeur de condition invalide", *path)
        return None

    # --- graph -------------------------------------------------------------------------

