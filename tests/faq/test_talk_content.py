"""The pure readers of small talk, picks, splits and follow-ups, and the validation of
knowledge/petite_conversation.yaml."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from bot import app
from bot.content.loader import Content
from bot.core.yamlsource import ContentError, InvalidContent
from bot.faq import followup, talk
from bot.faq.quick import QuickRequest
from bot.faq.talk_content import FILE, load_talk
from tests.support.chat import FLOWS, KNOWLEDGE


@pytest.mark.parametrize(("said", "small_talk", "questions"), [
    ("Bonjour à tous", ("salutation",), ()),
    ("ok super merci !!", ("accord", "merci"), ()),
    ("bonsoir, pouvez-vous m'aider ?", ("salutation", "aide"), ()),
    ("Bonjour, combien pour 2 postes en Guyane ?", ("salutation",),
     ("combien pour 2 postes en Guyane ?",)),
    ("bjr, cb pour 1 poste svp merci", ("salutation", "merci"), ("cb pour 1 poste svp",)),
    ("ok et pour 3 postes ?", ("accord",), ("et pour 3 postes ?",)),
    ("Merci. Et qui paie la formation ?", ("merci",), ("Et qui paie la formation ?",)),
    ("aide financière pour un poste", (), ("aide financière pour un poste",)),
    ("compris dans la subvention ?", (), ("compris dans la subvention ?",)),
    ("note de frais du conseiller", (), ("note de frais du conseiller",)),
    ("Pour une commune, combien ?", (), ("Pour une commune, combien ?",)),
    ("Quelle durée de contrat ? Et qui paie la formation ?", (),
     ("Quelle durée de contrat ?", "Et qui paie la formation ?")),
    ("Combien ? Pour 2 postes ?", (), ("Combien ? Pour 2 postes ?",)),
    ("La subvention est versée en une fois ? et à qui ?", (),
     ("La subvention est versée en une fois ? et à qui ?",)),
    ("combien pour 2 postes ? et en Guyane ?", (),
     ("combien pour 2 postes ? et en Guyane ?",)),
    ("combien pour 2 postes ? et combien dure la formation ?", (),
     ("combien pour 2 postes ?", "et combien dure la formation ?")),
    ("on doit fournir quoi au conseiller ? ordi telephone bureau ?", (),
     ("on doit fournir quoi au conseiller ? ordi telephone bureau ?",)),
    ("Peut-on recruter en CDI ? Faut-il une délibération ?", (),
     ("Peut-on recruter en CDI ?", "Faut-il une délibération ?")),
])
def test_read_separates_small_talk_from_questions(
        content: Content, said: str, small_talk: tuple[str, ...],
        questions: tuple[str, ...]) -> None:
    assert talk.read(said, content.talk) == talk.Message(small_talk, questions)


@pytest.mark.parametrize(("said", "rank"), [
    ("oui", talk.FIRST), ("Oui !", talk.FIRST), ("la 1", 1), ("la 2", 2), ("le 3", 3),
    ("3", 3), ("la deuxieme", 2), ("la 2e svp", 2), ("la derniere", talk.LAST),
    ("non", talk.NONE), ("aucune", talk.NONE), ("ni l'une ni l'autre", talk.NONE),
    ("oui la 2", 2),
    ("la 2 et la 3", None), ("combien pour 2 postes", None), ("bonjour", None), ("", None),
])
def test_pick(content: Content, said: str, rank: int | None) -> None:
    assert talk.pick(said, content.talk) == rank


@pytest.mark.parametrize(("typed", "known", "same"), [
    ("bonjoure", "bonjour", True), ("mrci", "merci", True), ("aurevoir", "aurevoir", True),
    ("aides", "aide", False), ("menus", "menu", False), ("statut", "salut", False),
    ("remerci", "merci", False),
])
def test_same_word_tolerates_one_typo_on_long_words(typed: str, known: str,
                                                    same: bool) -> None:
    assert talk.same_word(typed, known) is same


@pytest.mark.parametrize(("said", "halves"), [
    ("combien pour 2 postes et c'est quoi le CCP1 ?",
     ("combien pour 2 postes", "c'est quoi le CCP1 ?")),
    ("le salaire et qui paie la formation", ("le salaire", "qui paie la formation")),
    ("formation et diplome du conseiller", None),
    ("quand et comment recruter", None),
    ("les frais de deplacement et de repas", None),
])
def test_and_split_only_before_a_new_question(said: str,
                                              halves: tuple[str, str] | None) -> None:
    assert talk.and_split(said) == halves


@pytest.mark.parametrize(("said", "slots", "slot_only"), [
    ("et pour une association ?", {"structure": "prive"}, True),
    ("Et si on est une asso", {"structure": "prive"}, True),
    ("et pour une commune", {"structure": "public"}, True),
    ("et en Guyane ?", {"territoire": ["guyane"]}, True),
    ("et à la Réunion", {"territoire": ["reunion"]}, True),
    ("et en outre-mer ?", {"territoire": [followup.OVERSEAS]}, True),
    ("et pour 3 postes ?", {"postes": 3}, True),
    ("et pour trois conseillers en Martinique", {"postes": 3, "territoire": ["martinique"]},
     True),
    ("et pour 3 ?", {"postes": 3}, True),
    ("et pour un poste ?", {"postes": 1}, True),
    ("et pour un conseiller en Guyane", {"territoire": ["guyane"]}, True),
    ("pareil pour un renouvellement", {"convention": "renouvellement"}, True),
    ("en Guyane ?", {"territoire": ["guyane"]}, True),
    ("et pour la formation ?", {}, False),
])
def test_follow_up_slots(content: Content, said: str, slots: dict[str, object],
                         slot_only: bool) -> None:
    follow = followup.read(said, content.followups, content.params)
    assert follow is not None
    assert follow.slots == slots
    assert follow.slot_only is slot_only


@pytest.mark.parametrize("said", ["combien pour 2 postes ?", "la 2", "en 2025",
                                  "qui paie la formation", "c est quoi un conseiller numerique",
                                  "un conseiller numerique en Guyane c'est combien"])
def test_not_a_follow_up(content: Content, said: str) -> None:
    assert followup.read(said, content.followups, content.params) is None


def test_merge_overrides_the_previous_slots_and_keeps_only_the_remembered() -> None:
    previous = {"postes": 2, "territoire": ["metropole"], "structure": None}
    merged = followup.merge(previous, {"territoire": ["guyane"], "convention": "x"},
                            ("postes", "territoire", "structure"))
    assert merged == {"postes": 2, "territoire": ["guyane"], "structure": None}


def test_build_request_from_slots(content: Content) -> None:
    request = followup.build_request(
        {"postes": 3, "territoire": [followup.OVERSEAS], "structure": "prive"}, content.params)
    assert request is not None
    assert (request.posts, request.posts_given, request.overseas, request.private) == \
        (3, True, True, True)
    assert all(t.overseas for t in request.territories)
    assert followup.request_slots(request) == {
        "postes": 3, "territoire": [followup.OVERSEAS], "structure": "prive",
        "convention": None}
    renewal = followup.build_request({"convention": "renouvellement"}, content.params)
    if "renewal" in {f.name for f in dataclasses.fields(QuickRequest)}:
        assert renewal is not None and renewal.renewal
    else:   # a convention the computation cannot take yet: the FAQ answers instead
        assert renewal is None


def copy_knowledge(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    (folder / FILE).write_text(text, encoding="utf-8")
    return folder


BROKEN = """\
intentions:
  - id: salutation
    phrases: [bonjour]
    reponse: Bonjour !
  - id: encore
    phrases: [salut, bonjour]
    reponse: Re !
    accompagne: [coucou]
  - id: vide
    phrases: [oui]
  - id: aide
    phrases: [aide]
    commande: recommencer
choix:
  duree_minutes: 0
  oui: [oui, yes]
  non: [non]
  rangs: {1: [premier], troisieme: [trois]}
  mots: [la]
suivi:
  emplacements: [postes, couleur]
  debuts: [et]
  mots: [pour]
  structure: {prive: [asso], mairie: [commune]}
  convention: {ami_2020: [ami]}
  outre_mer: [outre mer]
  postes: [poste]
  jours: 3
"""


def test_every_problem_is_named_with_its_line(tmp_path: Path) -> None:
    errors: list[ContentError] = []
    load_talk(copy_knowledge(tmp_path, BROKEN) / FILE, errors)
    found = {(e.line, e.message.split(" :")[0].split(" (")[0]) for e in errors}
    assert found == {
        (6, "phrase « bonjour » déjà dans « salutation »"),
        (8, "« accompagne »"),
        (9, "« reponse »"),
        (13, "« commande »"),
        (15, "« duree_minutes »"),
        (16, "« oui »"),
        (18, "rang « troisieme »"),
        (21, "emplacement « couleur » inconnu"),
        (24, "structure « mairie » inconnue"),
        (28, "clé « jours » inconnue"),
    }, errors


def test_the_content_loader_refuses_a_broken_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidContent) as raised:
        app.load(copy_knowledge(tmp_path, BROKEN), FLOWS)
    assert all(e.file.endswith(FILE) for e in raised.value.errors)
