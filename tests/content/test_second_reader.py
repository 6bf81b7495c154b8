"""The second reader's cache: trained once per FAQ and read back after, trained again when the
FAQ changes or its file is damaged, and never in the way when the folder cannot be written."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from bot.content.second_reader import second_reader
from bot.core.cachefile import STALE_AFTER
from bot.faq.entries import FaqEntry
from bot.faq.matcher import FaqMatcher

TRAINING = "entraînement du second lecteur"


def faq(*extra: str) -> FaqMatcher:
    def entry(entry_id: str, *phrasings: str) -> FaqEntry:
        return FaqEntry(id=entry_id, question=phrasings[0], variants=phrasings[1:],
                        answer="Réponse.", answer_words="", sources=(), uncertain=False,
                        see_also=())
    return FaqMatcher([entry("salaire", "quel salaire pour le conseiller",
                             "remuneration du mediateur", *extra),
                       entry("locaux", "quels locaux pour le conseiller", "un bureau")])


def trainings(caplog: pytest.LogCaptureFixture) -> int:
    return sum(TRAINING in record.getMessage() for record in caplog.records)


def test_trained_once_then_read_from_the_cache(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    first = second_reader(faq(), tmp_path)
    [kept] = tmp_path.glob("lecteur-faq-*.npz")
    again = second_reader(faq(), tmp_path)
    assert trainings(caplog) == 1
    assert again.predict(["salaire"]) == first.predict(["salaire"])
    second_reader(faq("paye du conseiller"), tmp_path)   # the FAQ changed: trained again
    assert trainings(caplog) == 2
    assert len(list(tmp_path.glob("lecteur-faq-*.npz"))) == 2
    assert kept.exists()


def test_a_damaged_file_is_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    second_reader(faq(), tmp_path)
    [kept] = tmp_path.glob("lecteur-faq-*.npz")
    kept.write_bytes(b"coupure de courant")
    reader = second_reader(faq(), tmp_path)
    assert "illisible" in caplog.text
    assert reader.predict(["salaire"])[0] == "salaire"
    second_reader(faq(), tmp_path)   # the new file is whole
    assert caplog.text.count("illisible") == 1


def test_a_folder_that_cannot_be_written_only_costs_a_training(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("un fichier là où le dossier devrait être")
    reader = second_reader(faq(), blocked)
    assert reader.predict(["salaire"])[0] == "salaire"
    assert "non conservé" in caplog.text
    assert list(tmp_path.iterdir()) == [blocked]
    assert second_reader(faq(), None).predict(["bureau"])[0] == "locaux"


def test_models_of_earlier_contents_are_removed_after_a_day(tmp_path: Path) -> None:
    old, recent = tmp_path / "lecteur-faq-old.npz", tmp_path / "lecteur-faq-recent.npz"
    for path in (old, recent):
        path.write_bytes(b"")
    long_ago = time.time() - STALE_AFTER - 60
    os.utime(old, (long_ago, long_ago))
    second_reader(faq(), tmp_path)
    assert not old.exists()
    assert recent.exists()
