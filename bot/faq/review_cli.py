"""`python -m bot unanswered [attach GROUP ENTRY | ignore GROUP]`: the operator's review loop."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.core.config import Settings
from bot.core.yamlsource import InvalidContent
from bot.faq.review import Group, add_variants, group_records
from bot.storage.store import Store


async def groups(settings: Settings) -> list[Group]:
    store = await Store.open(settings.database)
    try:
        return group_records(await store.unanswered_to_review())
    finally:
        await store.close()


async def show(settings: Settings, limit: int) -> int:
    """Groups of similar questions to review, most frequent first."""
    found = await groups(settings)
    if not found:
        print("Aucune question sans réponse à examiner.")
        return 0
    for group in found[:limit]:
        best = ", ".join(f"{i} ({s})" for i, s in group.best_candidates) or "aucune"
        print(f"#{group.key:<5}{group.count:>4} × {group.questions[0]}")
        for other in group.questions[1:4]:
            print(f"{'':>12}aussi : {other}")
        print(f"{'':>12}dernière fois : {group.last_asked} ; entrées proches : {best}")
        if group.outcomes:
            print(f"{'':>12}choix des usagers : {', '.join(group.outcomes)}")
    print("\nPour ajouter un groupe aux formulations d'une entrée : "
          "python -m bot unanswered attach NUMÉRO ID_ENTRÉE ; pour l'écarter : "
          "python -m bot unanswered ignore NUMÉRO")
    return 0


async def attach(settings: Settings, key: int, entry_id: str,
                 load: Callable[[], object]) -> int:
    """Add a group's wordings to an entry's phrasings in its YAML file, then check the content
    with `load` (the app's content loader: an invalid result is undone)."""
    group = await _group(settings, key)
    if group is None:
        return 1
    path = _file_of(settings.knowledge_dir / "faq", entry_id)
    if path is None:
        print(f"Entrée « {entry_id} » introuvable dans {settings.knowledge_dir / 'faq'}.")
        return 1
    before = path.read_text(encoding="utf-8")
    added = add_variants(path, entry_id, group.questions)
    try:
        load()
    except InvalidContent as exc:
        path.write_text(before, encoding="utf-8")
        print("Le contenu serait invalide ; rien n'a été modifié :")
        for error in exc.errors:
            print(error)
        return 1
    await _set_review(settings, group, f"attached:{entry_id}")
    print(f"{len(added)} formulation(s) ajoutée(s) à « {entry_id} » ({path}) :")
    for phrasing in added:
        print(f"  - {phrasing}")
    print("Rechargez le contenu de l'assistant (/recharger) pour qu'il en tienne compte.")
    return 0


async def ignore(settings: Settings, key: int) -> int:
    """Set a group aside: it no longer appears in the review."""
    group = await _group(settings, key)
    if group is None:
        return 1
    await _set_review(settings, group, "ignored")
    print(f"Groupe #{key} écarté ({group.count} question(s)).")
    return 0


async def _group(settings: Settings, key: int) -> Group | None:
    for group in await groups(settings):
        if group.key == key:
            return group
    print(f"Aucun groupe #{key} à examiner (voir python -m bot unanswered).")
    return None


async def _set_review(settings: Settings, group: Group, review: str) -> None:
    store = await Store.open(settings.database)
    try:
        await store.set_review([record.id for record in group.records], review)
    finally:
        await store.close()


def _file_of(faq_dir: Path, entry_id: str) -> Path | None:
    needle = f"id: {entry_id}"
    for path in sorted(faq_dir.glob("*.yaml")):
        if any(line.strip().lstrip("- ").strip() == needle
               for line in path.read_text(encoding="utf-8").splitlines()):
            return path
    return None
