"""The lemma table: read from simplemma's dictionary once, then from the cache folder; a
damaged or unwritable cache only costs a reading of the dictionary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.faq.lemmas import dictionary_table, lemmatizer


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of its own, and a lemmatizer read again from it."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("BOT_CACHE_DIR", str(folder))
    lemmatizer.cache_clear()
    yield folder
    lemmatizer.cache_clear()


def test_the_table_is_kept_and_read_back_whole(cache: Path) -> None:
    first = lemmatizer()
    [kept] = cache.glob("lemmes-fr-*.txt")
    lemmatizer.cache_clear()
    again = lemmatizer()
    assert again._lemmas == first._lemmas == dictionary_table()
    assert again.lemma("financees") == "financer"
    assert again.lemma("departements") == "departement"   # written with accents in simplemma
    assert again.knows("majore") and not again.knows("temps")
    assert again.lemma("cnfs") == "cnfs"                  # unknown: the word itself
    assert list(cache.iterdir()) == [kept]


def test_a_damaged_table_is_read_again_from_the_dictionary(
        cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    lemmatizer()
    [kept] = cache.glob("lemmes-fr-*.txt")
    kept.write_bytes(b"formes\nsans lemmes")
    lemmatizer.cache_clear()
    assert lemmatizer().lemma("financees") == "financer"
    assert "illisible" in caplog.text
    lemmatizer.cache_clear()
    lemmatizer()   # the table written again is whole
    assert caplog.text.count("illisible") == 1


def test_a_folder_that_cannot_be_written_only_costs_a_reading(
        cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache.write_text("un fichier là où le dossier devrait être")
    assert lemmatizer().lemma("financees") == "financer"
    assert "non conservé" in caplog.text
