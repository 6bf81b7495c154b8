"""From a quick computation to the simulation flow: the answers the "Affiner la simulation"
button fills in. The simulation's step ids are read from the flow (`step_of`), named once
here."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.callbacks import RefineButton
from bot.dialogue.model import Flow
from bot.programme.flowrules import OTHER_TERRITORY


def simulation_prefill(flow: Flow, refine: RefineButton,
                       territories: Mapping[str, object]) -> dict[str, object]:
    """Answers of the simulation flow known from a quick computation."""
    prefill: dict[str, object] = {}
    if refine.posts:
        prefill["postes"] = refine.posts
    if refine.territory:
        prefill.update(territory_prefill(flow, refine.territory, territories))
    structure = flow.step_of("structure")
    if refine.structure and structure is not None and structure.option(refine.structure):
        prefill["structure"] = refine.structure
    return prefill


def territory_prefill(flow: Flow, territory: str,
                      territories: Mapping[str, object]) -> dict[str, object]:
    """The answers of a flow's territory questions that give `territory` (or none)."""
    where, other = flow.step_of("territoire"), flow.step_of("territoire_autre")
    if territory not in territories or where is None:
        return {}
    if where.option(territory):
        return {"territoire": territory}
    if other is not None and other.option(territory) and where.option(OTHER_TERRITORY):
        return {"territoire": OTHER_TERRITORY, "territoire_autre": territory}
    return {}
