"""The checks of a parsed flow that need all its steps: every step reachable, no loop, every
name known where it is used, no rejection resting on an uncertain parameter."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from bot.dialogue.model import (
    NEGATIVE,
    ORDERING,
    PARAMS_NAMESPACE,
    PLACEHOLDER,
    Step,
    Test,
)
from bot.programme.flowrules import Kind
from bot.programme.params import Parameters

ORDERED_KINDS = frozenset({"int", "euros", "percent", "date"})
# A text that concludes against the structure: it must never rest on an uncertain parameter.
REJECTION = re.compile(r"n'(?:est|êtes) pas éligible|non éligible|❌")


class Report(Protocol):
    """Where the checks write: the flow file being loaded (file:line errors)."""

    params: Parameters

    def error(self, message: str, *path: str | int) -> None: ...

    def raw_index(self, step: Step) -> int: ...

    def yaml_name(self, op: Any) -> str: ...


def value_kinds(report: Report, steps: dict[str, Step]) -> dict[str, Kind]:
    """The kind of every named value: answers, and the results of rules."""
    kinds: dict[str, Kind] = {}
    for step in steps.values():
        if step.asks:
            kinds[step.id] = step.value_kind
        elif step.rule is not None:
            for name, kind in step.rule.outputs.items():
                if name in steps and steps[name].asks:
                    report.error(f"étape « {step.id} » : la règle « {step.rule.name} » "
                                 f"produit « {name} », qui est déjà une réponse",
                                 "etapes", report.raw_index(step), "regle")
                kinds[name] = kind
    return kinds


def uncertain_params(report: Report, text: str) -> list[str]:
    return [attr for name, attr in PLACEHOLDER.findall(text)
            if name == PARAMS_NAMESPACE and attr in report.params
            and report.params[attr].uncertain]


def check_certainty(report: Report, steps: dict[str, Step]) -> None:
    """No "non éligible" (from a rule or in a text) resting on an uncertain parameter."""
    basis = {step.id: found[0] for step in steps.values() if step.asks
             if (found := [p for part in step.text
                           for p in uncertain_params(report, part.text)])}
    for step in steps.values():
        index = report.raw_index(step)
        rule = step.rule
        for name, param in basis.items():
            if rule is not None and rule.rejects and name in rule.inputs and \
                    rule.guards.get(name) != param:
                outcome = ", ".join(rule.rejects.values())
                report.error(f"étape « {step.id} » : la règle « {rule.name} » peut conclure "
                             f"« {outcome} » sur la réponse « {name} », demandée avec le "
                             f"paramètre INCERTAIN « {param} » : un résultat ne repose "
                             "jamais sur un paramètre incertain seul (« à vérifier »)",
                             "etapes", index, "regle")
        for i, part in enumerate(() if step.asks else step.text):
            resting = [*uncertain_params(report, part.text),
                       *(basis[t.name] for t in part.tests if t.name in basis)]
            if resting and REJECTION.search(part.text):
                report.error(f"étape « {step.id} » : conclusion « non éligible » qui repose "
                             f"sur le paramètre INCERTAIN « {resting[0]} » : dites "
                             "« à vérifier » et pourquoi", "etapes", index, "texte", i)


def check_graph(report: Report, steps: dict[str, Step], first: str) -> None:
    reached = reachable(steps, first, ())
    for step in steps.values():
        if step.id not in reached:
            report.error(f"étape « {step.id} » inaccessible : aucune « suite » n'y mène "
                         f"depuis « {first} »", "etapes", report.raw_index(step), "id")
    if not any(steps[s].terminal for s in reached):
        report.error("aucune étape « recapitulatif » : un questionnaire finit toujours sur "
                     "un récapitulatif", "etapes")
    for cycle in cycles(steps):
        exits = any(b.target not in cycle for s in cycle for b in steps[s].next)
        names = " → ".join([*cycle, cycle[0]])
        start = steps[cycle[0]]
        if exits:
            report.error(f"boucle {names} : une étape ne peut pas ramener à une étape déjà "
                         "passée (le bouton « ⬅ Retour » s'en charge)",
                         "etapes", report.raw_index(start), "suite")
        else:
            report.error(f"boucle sans sortie {names} : le questionnaire n'arriverait jamais "
                         "au récapitulatif", "etapes", report.raw_index(start), "suite")


class Names:
    """Checks every placeholder, condition and rule input names a value known at that step."""

    def __init__(self, report: Report, steps: dict[str, Step], first: str,
                 kinds: dict[str, Kind]) -> None:
        self.report = report
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
            index = self.report.raw_index(step)
            for key, parts in (("question" if step.asks else "texte", step.text),
                               ("aide", step.help)):
                for part in parts:
                    tested = {t.name for t in part.tests if t.op not in NEGATIVE}
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
            self.report.error(f"étape « {step.id} » : « {{{name}}} » inconnu : ce n'est ni "
                              "une réponse ni un résultat de règle de ce questionnaire", *path)
            return False
        return True

    def _known(self, step: Step, name: str, index: int, key: str | tuple[Any, ...]) -> bool:
        """`name` exists and every path to `step` gives it a value before the step."""
        path = ("etapes", index, *(key if isinstance(key, tuple) else (key,)))
        if not self._exists(step, name, path):
            return False
        if step.id in self.unguarded(name):
            self.report.error(f"étape « {step.id} » : « {name} » peut ne pas être encore connu "
                              "à cette étape (un chemin y mène sans passer par l'étape qui le "
                              "donne)", *path)
            return False
        return True

    def _text(self, step: Step, text: str, index: int, key: str, tested: set[str]) -> None:
        for match in PLACEHOLDER.finditer(text):
            name, attribute = match.groups()
            if name == PARAMS_NAMESPACE:
                if attribute not in self.report.params:
                    self.report.error(f"étape « {step.id} » : paramètre inconnu "
                                      f"« {{{name}.{attribute}}} » (voir "
                                      "knowledge/parametres.yaml)", "etapes", index, key)
                continue
            if attribute is not None:
                self.report.error(f"étape « {step.id} » : « {match.group(0)} » : seuls les "
                                  "paramètres s'écrivent avec un point ({parametres.nom})",
                                  "etapes", index, key)
                continue
            if name in tested:
                self._exists(step, name, ("etapes", index, key))
            else:
                self._known(step, name, index, key)
        leftover = PLACEHOLDER.sub("", text)
        if "{" in leftover or "}" in leftover:
            self.report.error(f"étape « {step.id} » : accolade hors d'un nom reconnu (forme "
                              "attendue : {reponse} ou {parametres.nom})", "etapes", index, key)

    def _tests(self, step: Step, tests: Iterable[Test], index: int, key: str) -> None:
        """Conditions may test answers that are not always given (unknown never matches)."""
        for test in tests:
            if not self._exists(step, test.name, ("etapes", index, key)):
                continue
            kind = self.kinds[test.name]
            asked = self.steps.get(test.name)
            if test.op in ORDERING and kind not in ORDERED_KINDS:
                self.report.error(f"étape « {step.id} » : « {self.report.yaml_name(test.op)} » "
                                  "compare des nombres "
                                  f"ou des dates, pas « {test.name} »", "etapes", index, key)
            if kind == "choice" and asked is not None:
                values = test.operand if isinstance(test.operand, tuple) else \
                    (test.operand.value,) if test.operand.source == "literal" else ()
                for value in values:
                    if asked.option(value) is None:
                        self.report.error(
                            f"étape « {step.id} » : « {value} » n'est pas un choix de "
                            f"« {test.name} » (choix : "
                            f"{', '.join(o.value for o in asked.options)})",
                            "etapes", index, key)

    def _rule(self, step: Step, index: int) -> None:
        rule = step.rule
        assert rule is not None
        allowed = rule.allowed(self.report.params)
        for name, kind in rule.inputs.items():
            required = name not in rule.optional
            if name not in self.kinds:
                if required:
                    self.report.error(f"étape « {step.id} » : la règle « {rule.name} » a besoin "
                                      f"de la réponse « {name} », que ce questionnaire ne "
                                      "demande pas", "etapes", index, "regle")
                continue
            if required:
                self._known(step, name, index, "regle")
            if self.kinds[name] != kind:
                self.report.error(f"étape « {step.id} » : la règle « {rule.name} » attend pour "
                                  f"« {name} » une valeur de type {kind}, pas "
                                  f"{self.kinds[name]}", "etapes", index, "regle")
                continue
            asked = self.steps.get(name)
            if name in allowed and asked is not None:
                for option in asked.options:
                    if option.value not in allowed[name]:
                        self.report.error(
                            f"étape « {name} » : la règle « {rule.name} » ne connaît pas le "
                            f"choix « {option.value} » (connus : "
                            f"{', '.join(sorted(allowed[name]))})",
                            "etapes", self.report.raw_index(asked), "choix")


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
