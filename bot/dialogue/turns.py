"""The step machine of flows: pure functions from a state and an input to the next screens."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot.core import formatting, messages
from bot.core.text import normalize
from bot.dialogue import choices
from bot.dialogue.model import (
    NEGATIVE,
    PARAMS_NAMESPACE,
    PLACEHOLDER,
    Flow,
    Operator,
    Part,
    Ref,
    Step,
    StepKind,
    Test,
)
from bot.documents.files import DOCUMENT_CODES, offered
from bot.programme import values
from bot.programme.flowrules import RuleEnv

Json = str | int | float | bool | None
BOLD = re.compile(r"\*\*(.+?)\*\*")
BLANK_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowState:
    """Where a user is in a flow: answers (JSON values), the step, the way back."""

    flow_id: str
    version: int
    step: str
    answers: Mapping[str, Json] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    editing: bool = False


@dataclass(frozen=True, slots=True)
class Action:
    """A button of a screen: its label and the short code it sends back."""

    label: str
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Screen:
    """One message to show: HTML text and button rows."""

    text: str
    actions: tuple[tuple[Action, ...], ...] = ()


Outcome = Literal["continue", "cancelled", "finished", "left"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Turn:
    """The result of an input: the new state (None once the flow is over) and what to show.

    A flow confirmed on a recap with an action ends with `action` set and the values known
    there (answers and results, typed): the engine runs the action and shows its replies.
    """

    state: FlowState | None
    screens: tuple[Screen, ...]
    outcome: Outcome = "continue"
    action: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Walk:
    """A walk along the flow: where it stopped, the values known there, what it said."""

    stop: str
    values: dict[str, Any] = field(default_factory=dict)
    said: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    branches: list[tuple[str, int]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


# --- values -------------------------------------------------------------------------------

def typed(flow: Flow, name: str, raw: Json) -> Any:
    """A stored JSON answer as the typed value rules and conditions use."""
    kind = flow.kinds.get(name)
    if kind == "date" and isinstance(raw, str):
        return dt.date.fromisoformat(raw)
    if kind in ("euros", "percent") and isinstance(raw, int | float):
        return float(raw)
    return raw


def stored(value: Any) -> Json:
    """A typed answer as JSON."""
    return value.isoformat() if isinstance(value, dt.date) else value


def resolve(ref: Ref, env: RuleEnv, known: Mapping[str, Any]) -> Any:
    """The value of a literal, a parameter or an earlier answer or result."""
    if ref.source == "literal":
        return ref.value
    if ref.source == "param":
        return env.params.value(ref.value)
    return known.get(ref.value)


def show_value(flow: Flow, name: str, value: Any) -> str:
    """A named value formatted the French way, HTML-safe."""
    kind = flow.kinds.get(name)
    step = flow.steps.get(name)
    if value is None:
        return "?"
    match kind:
        case "choice":
            option = step.option(value) if step else None
            return html.escape(option.label if option else str(value), quote=False)
        case "int" if step is not None and step.unit:
            return formatting.quantity(value, *step.unit)
        case "int" | "number":
            return formatting.number(value)
        case "euros":
            return formatting.euros(value)
        case "percent":
            return formatting.percent(value)
        case "date":
            return formatting.date(value)
        case "html":
            return str(value)
        case "bool":
            return "oui" if value else "non"
    return html.escape(str(value), quote=False)


def holds(test: Test, env: RuleEnv, known: Mapping[str, Any]) -> bool:
    """Whether one condition holds for the values known now (unknown values never match)."""
    value = known.get(test.name)
    if value is None:
        return test.op in NEGATIVE
    if isinstance(test.operand, tuple):
        inside = value in test.operand
        return inside if test.op is Operator.IN else not inside
    operand = resolve(test.operand, env, known)
    try:
        match test.op:
            case Operator.EQUAL:
                return bool(value == operand)
            case Operator.NOT_EQUAL:
                return bool(value != operand)
            case Operator.AT_LEAST:
                return bool(value >= operand)
            case Operator.AT_MOST:
                return bool(value <= operand)
            case Operator.MORE_THAN:
                return bool(value > operand)
            case Operator.LESS_THAN:
                return bool(value < operand)
    except TypeError:
        return False
    return False


def render(flow: Flow, parts: tuple[Part, ...], env: RuleEnv, known: Mapping[str, Any]) -> str:
    """Texts whose conditions hold, with placeholders filled, as HTML."""
    shown = [p.text for p in parts if all(holds(t, env, known) for t in p.tests)]

    def fill(match: re.Match[str]) -> str:
        name, attribute = match.groups()
        if name == PARAMS_NAMESPACE:
            param = env.params[attribute]
            text = html.escape(param.format(), quote=False)
            return text + (messages.UNCERTAIN_MARK if param.uncertain else "")
        return show_value(flow, name, known.get(name))

    filled = "\n".join(PLACEHOLDER.sub(fill, html.escape(text, quote=False)) for text in shown)
    return BOLD.sub(r"<b>\1</b>", BLANK_LINES.sub("\n\n", filled).strip())


# --- walking the flow ---------------------------------------------------------------------

def walk(flow: Flow, env: RuleEnv, answers: Mapping[str, Json], *, until: str | None = None,
         resume_after: str | None = None, live: bool = False, skip_answered: bool = False
         ) -> Walk:
    """Follow the flow from its first step over the answers.

    Before `resume_after` (or throughout when not `live`) answered questions are passed
    silently; in the live part, messages are said and questions stop the walk unless
    `skip_answered` and their stored answer is still valid. Computations always run.
    """
    result = Walk(stop=flow.first)
    now_live = live and resume_after is None
    step_id = flow.first
    for _ in range(len(flow.steps) + 1):
        step = flow.steps[step_id]
        result.stop = step_id
        if step.terminal or (step_id == until and not now_live):
            return result
        if step.asks:
            if step_id not in answers:
                return result
            value = typed(flow, step_id, answers[step_id])
            if now_live:
                if not (skip_answered or step.skip_known) or invalid_reason(
                        flow, step, value, env, result.values) is not None:
                    return result
                result.skipped.append(step_id)
            result.values[step_id] = value
        elif step.rule is not None:
            inputs = {n: result.values[n] for n in step.rule.inputs if n in result.values}
            outputs = step.rule.run(env, inputs)
            result.values.update(outputs)
        elif now_live:
            result.said.append(render(flow, step.text, env, result.values)
                               + _sources(step, env))
        result.path.append(step_id)
        index = next(i for i, b in enumerate(step.next)
                     if all(holds(t, env, result.values) for t in b.tests))
        result.branches.append((step_id, index))
        if step_id == resume_after:
            now_live = live
        step_id = step.next[index].target
    raise RuntimeError(f"flow {flow.id} does not end")  # excluded by load-time validation


def _sources(step: Step, env: RuleEnv) -> str:
    if not step.sources:
        return ""
    return f"\n\n<i>Source : {html.escape(env.params.cite(step.sources), quote=False)}</i>"


def asked_on_path(flow: Flow, path: list[str]) -> tuple[str, ...]:
    return tuple(s for s in path if flow.steps[s].asks)


# --- typed answers ------------------------------------------------------------------------

def _bounds(step: Step, env: RuleEnv, known: Mapping[str, Any]) -> tuple[Any, Any]:
    low = resolve(step.minimum, env, known) if step.minimum else None
    high = resolve(step.maximum, env, known) if step.maximum else None
    return low, high


def parse(flow: Flow, step: Step, text: str, env: RuleEnv, known: Mapping[str, Any]) -> Any:
    """The typed value of a text answer to `step`; raises values.InvalidValue."""
    low, high = _bounds(step, env, known)
    match step.kind:
        case StepKind.CHOICE:
            found = choices.match(text, [choices.Choice(o.value, o.label, o.words)
                                         for o in step.options])
            if found is None:
                raise values.InvalidValue(messages.EXPECT_CHOICE)
            return found
        case StepKind.INT:
            return values.parse_integer(text, minimum=low, maximum=high,
                                        show=lambda v: show_value(flow, step.id, v))
        case StepKind.EUROS:
            return values.parse_euros(text, minimum=low, maximum=high)
        case StepKind.PERCENT:
            return values.parse_percent(text, minimum=low, maximum=high)
        case StepKind.DATE:
            if step.latest_if_yearless:
                day = latest_day_and_month(text, env.today)
                if day is not None and low is not None and day < low:
                    day = add_year(day)  # too early: the coming one, if it exists
                if day is not None:
                    return values.parse_date(day.strftime("%d/%m/%Y"), today=env.today,
                                             minimum=low, maximum=high)
            return values.parse_date(text, today=env.today, minimum=low, maximum=high)
    raise ValueError(f"step {step.id} does not ask")


def add_year(day: dt.date) -> dt.date:
    """The same day a year later (29 February: 1 March)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return dt.date(day.year + 1, 3, 1)


def latest_day_and_month(text: str, today: dt.date) -> dt.date | None:
    """ "12 mars", "12/03", "1er mars": the latest such day up to today (None: not a day and
    a month without a year). A day that exists in no recent year is refused. The parser then
    takes the next one instead when the latest is before the question's minimum."""
    words = [w[:-2] if w.endswith("er") and w[:-2].isdigit() else w
             for w in normalize(text).split()]
    words = [w for w in words if w not in values.DATE_FILLERS]
    if len(words) != 2 or not words[0].isdigit() or len(words[0]) > 2:
        return None
    month = values.MONTHS.get(words[1]) or \
        (int(words[1]) if words[1].isdigit() and len(words[1]) <= 2 else None)
    if not month or not 1 <= month <= 12:
        return None
    for year in range(today.year, today.year - 9, -1):  # 29 February: the last leap year
        try:
            candidate = dt.date(year, month, int(words[0]))
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise values.InvalidValue(messages.NO_SUCH_DATE)


def invalid_reason(flow: Flow, step: Step, value: Any, env: RuleEnv,
                   known: Mapping[str, Any]) -> str | None:
    """Why a stored or offered value cannot be the answer to `step` now (None: it can)."""
    if step.kind is StepKind.CHOICE:
        return None if step.option(value) else messages.EXPECT_CHOICE
    low, high = _bounds(step, env, known)
    if value is None:
        return messages.EXPECT_CHOICE
    show = lambda v: show_value(flow, step.id, v)  # noqa: E731
    if low is not None and value < low:
        return messages.TOO_LOW.format(value=show(value), low=show(low))
    if high is not None and value > high:
        return messages.TOO_HIGH.format(value=show(value), high=show(high))
    return None


# --- screens ------------------------------------------------------------------------------

def ask_screen(flow: Flow, step: Step, env: RuleEnv, known: Mapping[str, Any],
               state: FlowState, error: str | None = None) -> Screen:
    """A question with its buttons (choices or shortcuts, then ⬅ Retour and ✖ Annuler)."""
    lines = [f"⚠ {error}"] if error else []
    lines.append(render(flow, step.text, env, known))
    helptext = render(flow, step.help, env, known)
    if helptext:
        lines.append(f"<i>{helptext}</i>")
    previous = typed(flow, step.id, state.answers[step.id]) if step.id in state.answers \
        else None
    if previous is not None:
        shown = show_value(flow, step.id, previous)
        reason = invalid_reason(flow, step, previous, env, known)
        lines.append(messages.NO_LONGER_VALID.format(reason=reason) if reason
                     else messages.PREVIOUS_ANSWER.format(value=shown))
    rows: list[tuple[Action, ...]] = []
    if step.kind is StepKind.CHOICE:
        for index, option in enumerate(step.options):
            mark = "✓ " if option.value == previous else ""
            rows.append((Action(mark + option.label, f"o{index}"),))
    else:
        found = shortcuts(flow, step, env, known, previous)
        rows += [tuple(found[i:i + 2]) for i in range(0, len(found), 2)]
    rows.append((Action(messages.BACK, "b"), Action(messages.CANCEL, "x")))
    return Screen(text="\n".join(lines), actions=tuple(rows))


def shortcuts(flow: Flow, step: Step, env: RuleEnv, known: Mapping[str, Any],
              previous: Any) -> list[Action]:
    """The buttons of a typed question: keep the previous answer, the default, suggestions."""
    found: list[Action] = []
    if previous is not None and invalid_reason(flow, step, previous, env, known) is None:
        found.append(Action(_plain(messages.KEEP.format(
            value=show_value(flow, step.id, previous))), "k"))
    default = resolve(step.default, env, known) if step.default else None
    if default is not None and default != previous:
        found.append(Action(_plain(messages.USE_DEFAULT.format(
            value=show_value(flow, step.id, default))), "d"))
    for index, ref in enumerate(step.suggestions):
        suggestion = resolve(ref, env, known)
        if suggestion is not None and suggestion not in (previous, default):
            found.append(Action(_plain(show_value(flow, step.id, suggestion)), f"s{index}"))
    return found


def typed_shortcut(flow: Flow, step: Step, env: RuleEnv, known: Mapping[str, Any],
                   state: FlowState, text: str) -> str | None:
    """The code of the button of a typed question that a text names without a number
    ("par défaut", "garder", or a word of « mots_defaut » such as "SMIC"), if any."""
    if any(c.isdigit() for c in text) or step.kind is StepKind.CHOICE:
        return None
    previous = typed(flow, step.id, state.answers[step.id]) if step.id in state.answers \
        else None
    buttons = shortcuts(flow, step, env, known, previous)
    if step.default is not None and all(b.code != "d" for b in buttons) and \
            previous == resolve(step.default, env, known):
        buttons.append(Action(messages.USE_DEFAULT.format(value=""), "d"))  # kept: the same
    return choices.match(text, [choices.Choice(
        b.code, b.label, (*messages.DEFAULT_WORDS, *step.default_words) if b.code == "d"
        else ()) for b in buttons])


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def recap_screen(flow: Flow, step: Step, env: RuleEnv, known: Mapping[str, Any],
                 path: list[str]) -> Screen:
    """The end of a flow: its text, the answers, a "Modifier" button per answer."""
    lines = []
    text = render(flow, step.text, env, known) + _sources(step, env)
    if text:
        lines += [text, ""]
    lines.append(messages.RECAP_ANSWERS)
    edits = []
    for name in asked_on_path(flow, path):
        asked = flow.steps[name]
        lines.append(f"• {html.escape(asked.label, quote=False)} : "
                     f"{show_value(flow, name, known.get(name))}")
        edits.append(Action(messages.EDIT.format(label=asked.label), f"e{flow.index(name)}"))
    lines += ["", messages.RECAP_HINT]
    rows = [tuple(edits[i:i + 2]) for i in range(0, len(edits), 2)]
    files = [Action(label, DOCUMENT_CODES[kind]) for kind, label in offered(known)
             if kind in step.documents]
    if files:
        rows.append(tuple(files))
    if step.action is not None:
        rows.append((Action(step.action_label, "t"),))
        rows.append((Action(messages.BACK, "b"), Action(messages.CANCEL, "x")))
    else:
        rows.append((Action(messages.BACK, "b"), Action(messages.RESTART, "z"),
                     Action(messages.FINISH, "t")))
    return Screen(text="\n".join(lines), actions=tuple(rows))


def screen_at(flow: Flow, env: RuleEnv, state: FlowState, error: str | None = None
              ) -> tuple[FlowState, Screen]:
    """The screen of the current step (replaying the answers to know every value)."""
    trail = walk(flow, env, state.answers, until=state.step)
    if trail.stop != state.step:
        state = replace(state, step=trail.stop, editing=False,
                        history=asked_on_path(flow, trail.path))
    step = flow.steps[trail.stop]
    if step.terminal:
        return state, recap_screen(flow, step, env, trail.values, trail.path)
    return state, ask_screen(flow, step, env, trail.values, state, error)


# --- transitions --------------------------------------------------------------------------

def start(flow: Flow, env: RuleEnv, prefill: Mapping[str, Json] | None = None) -> Turn:
    """Begin a flow, passing questions already answered by `prefill`."""
    answers = {k: v for k, v in (prefill or {}).items() if flow.step_of(k) is not None}
    trail = walk(flow, env, answers, live=True, skip_answered=True)
    state = FlowState(flow_id=flow.id, version=flow.version, step=trail.stop, answers=answers,
                      history=tuple(trail.skipped))
    turn = _arrive(flow, env, state, trail)
    if not trail.skipped:
        return turn
    known = [f"• {html.escape(flow.steps[s].label, quote=False)} : "
             f"{show_value(flow, s, trail.values.get(s))}" for s in trail.skipped]
    note = Screen(text="\n".join([messages.PREFILLED, *known]))
    return replace(turn, screens=(note, *turn.screens))


def _arrive(flow: Flow, env: RuleEnv, state: FlowState, trail: Walk) -> Turn:
    step = flow.steps[trail.stop]
    screens = [Screen(text=text) for text in trail.said if text.strip()]
    if step.terminal:
        on_path = asked_on_path(flow, trail.path)
        state = replace(state, step=step.id, editing=False, history=on_path,
                        answers={k: v for k, v in state.answers.items() if k in on_path})
        screens.append(recap_screen(flow, step, env, trail.values, trail.path))
    else:
        screens.append(ask_screen(flow, step, env, trail.values, state))
    return Turn(state=state, screens=tuple(screens))


def answer(flow: Flow, env: RuleEnv, state: FlowState, value: Any) -> Turn:
    """Store a valid answer to the current question and move on."""
    step_id = state.step
    answers = {**state.answers, step_id: stored(value)}
    trail = walk(flow, env, answers, resume_after=step_id, live=True,
                 skip_answered=state.editing)
    history = (*state.history, step_id, *trail.skipped)
    return _arrive(flow, env, replace(state, step=trail.stop, answers=answers,
                                      history=history), trail)


def accepts_text(flow: Flow, state: FlowState) -> bool:
    """Whether the current step waits for an answer (the recap does not)."""
    step = flow.steps.get(state.step)
    return step is not None and step.asks


def try_text(flow: Flow, env: RuleEnv, state: FlowState, text: str) -> Any:
    """The parsed answer to the current question, or the InvalidValue explaining why not."""
    trail = walk(flow, env, state.answers, until=state.step)
    step = flow.steps[trail.stop]
    try:
        return parse(flow, step, text, env, trail.values)
    except values.InvalidValue as exc:
        code = typed_shortcut(flow, step, env, trail.values, state, text)
        offered = _offered(flow, step, env, trail.values, state, code) if code else None
        if offered is None or invalid_reason(flow, step, offered, env, trail.values):
            return exc
        return offered


def press(flow: Flow, env: RuleEnv, state: FlowState, code: str) -> Turn | None:
    """A button of the current screen; None when the code does not belong to it."""
    if code == "x":
        return Turn(state=None, screens=(), outcome="cancelled")
    if code == "z":
        return start(flow, env)
    trail = walk(flow, env, state.answers, until=state.step)
    step = flow.steps[trail.stop]
    if code == "b":
        return back(flow, env, state)
    if step.terminal:
        if code == "t":
            action = step.action.name if step.action is not None else None
            return Turn(state=None, screens=(), outcome="finished", action=action,
                        values=dict(trail.values) if action else {})
        if code.startswith("e") and code[1:].isdigit():
            target = flow.step_at(int(code[1:]))
            if target is None or target.id not in asked_on_path(flow, trail.path):
                return None
            edited = replace(state, step=target.id, editing=True,
                             history=(*state.history, step.id))
            edited, screen = screen_at(flow, env, edited)
            return Turn(state=edited, screens=(screen,))
        return None
    offered = _offered(flow, step, env, trail.values, state, code)
    if offered is None:
        return None
    reason = invalid_reason(flow, step, offered, env, trail.values)
    if reason is not None:
        state, screen = screen_at(flow, env, state, reason)
        return Turn(state=state, screens=(screen,))
    return answer(flow, env, state, offered)


def _offered(flow: Flow, step: Step, env: RuleEnv, known: Mapping[str, Any],
             state: FlowState, code: str) -> Any:
    kind, number = code[:1], code[1:]
    if kind == "o" and number.isdigit() and int(number) < len(step.options):
        return step.options[int(number)].value
    if code == "k" and step.id in state.answers:
        return typed(flow, step.id, state.answers[step.id])
    if code == "d" and step.default is not None:
        return resolve(step.default, env, known)
    if kind == "s" and number.isdigit() and int(number) < len(step.suggestions):
        return resolve(step.suggestions[int(number)], env, known)
    return None


def back(flow: Flow, env: RuleEnv, state: FlowState) -> Turn:
    """Back to the previous question asked (or the recap when editing), its answer shown."""
    if not state.history:
        return Turn(state=None, screens=(), outcome="left")
    previous = state.history[-1]
    if previous not in flow.steps:
        return Turn(state=None, screens=(), outcome="left")
    moved = replace(state, step=previous, history=state.history[:-1],
                    editing=state.editing and not flow.steps[previous].terminal)
    moved, screen = screen_at(flow, env, moved)
    return Turn(state=moved, screens=(screen,))


def migrate(flow: Flow, env: RuleEnv, state: FlowState) -> Turn:
    """Continue a flow whose definition changed: keep what still fits, resume at the step."""
    answers = {k: v for k, v in state.answers.items()
               if (s := flow.step_of(k)) is not None and
               (s.kind is not StepKind.CHOICE or s.option(v) is not None)}
    moved = FlowState(flow_id=flow.id, version=flow.version, step=state.step, answers=answers,
                      history=tuple(h for h in state.history if h in flow.steps))
    moved, screen = screen_at(flow, env, moved)
    return Turn(state=moved, screens=(screen,))
