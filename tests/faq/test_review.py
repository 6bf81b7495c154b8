"""Reviewing unanswered questions: grouping, and adding phrasings to an entry's YAML."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

from bot.core.text import normalize
from bot.faq.entries import load_faq
from bot.faq.review import Record, add_variants, group_records
from bot.programme.params import load_parameters
from tests.support.chat import KNOWLEDGE


def record(record_id: int, question: str, at: str = "2026-03-01T09:00:00+00:00") -> Record:
    return Record(id=record_id, question=question, normalized=normalize(question), asked_at=at,
                  candidates=(("financement-montant-subvention", 50.0),))


def test_similar_questions_are_grouped_most_frequent_first() -> None:
    groups = group_records([
        record(1, "tarte aux pommes recette"),
        record(2, "Combien de jours de congés pour le conseiller ?"),
        record(3, "combien de jours de conges pr le conseiller"),
        record(4, "jours de congés du conseiller numérique combien"),
    ])
    assert [g.key for g in groups] == [2, 1]
    assert groups[0].count == 3
    assert groups[0].questions[0] == "Combien de jours de congés pour le conseiller ?"
    assert groups[0].best_candidates == (("financement-montant-subvention", 50.0),)
    assert groups[0].outcomes == ()


def test_what_users_chose_is_kept_per_group() -> None:
    chosen = Record(id=7, question="delai signature", normalized="delai signature",
                    asked_at="2026-03-01T09:00:00+00:00", candidates=(),
                    outcome="chosen:recrutement-delai-signature")
    [group] = group_records([chosen, record(8, "delai de signature")])
    assert group.outcomes == ("chosen:recrutement-delai-signature",)


def test_phrasings_are_appended_keeping_the_rest_of_the_file(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    path = knowledge / "faq" / "financement.yaml"
    before = path.read_text(encoding="utf-8")
    added = add_variants(path, "financement-montant-subvention",
                         ["l'État « donne » combien : par poste ?",
                          "quel est le montant de l'aide de l'etat par poste"])
    after = path.read_text(encoding="utf-8")
    assert added == ["l'État « donne » combien : par poste ?"]
    diff = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line.startswith(("+ ", "- "))]
    assert diff == ['+     - "l\'État « donne » combien : par poste ?"']
    entries = load_faq(knowledge / "faq", load_parameters(knowledge))
    assert "l'État « donne » combien : par poste ?" in \
        entries["financement-montant-subvention"].variants


def test_nothing_is_written_when_every_phrasing_is_known(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("# commentaire\n- id: a\n  question: Une question ?\n  reponse: R.\n",
                    encoding="utf-8")
    assert add_variants(path, "a", ["une question"]) == []
    assert add_variants(path, "a", ["Autre formulation"]) == ["Autre formulation"]
    assert path.read_text(encoding="utf-8") == (
        '# commentaire\n- id: a\n  question: Une question ?\n  variantes:\n'
        '    - "Autre formulation"\n  reponse: R.\n')
