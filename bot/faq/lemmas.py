"""French lemmas of accent-free words, from simplemma's dictionary: its 250 000 forms are read
once into a table of accent-free form → lemma, kept in the cache folder (BOT_CACHE_DIR) so
that later starts read the table (70 ms) instead of the dictionary (0.5 s)."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from bot.core import cachefile, config

log = logging.getLogger(__name__)
TABLE_FORMAT = 1   # bump when the table's content changes: cached tables are rebuilt
# Accented letters of French words → their plain form: str.translate is ~10x faster than NFKD
# over the 250 000 forms of the dictionary.
PLAIN = str.maketrans({**dict.fromkeys("àâäáã", "a"), "ç": "c", **dict.fromkeys("éèêë", "e"),
                       **dict.fromkeys("îïíì", "i"), "ñ": "n", **dict.fromkeys("ôöóò", "o"),
                       **dict.fromkeys("ûüúù", "u"), "ÿ": "y", "œ": "oe", "æ": "ae"})


class Lemmatizer:
    """Lemma of a lower-case, accent-free French word ("financees" → "financer")."""

    def __init__(self, lemmas: Mapping[str, str]) -> None:
        self._lemmas = lemmas   # accent-free form → accent-free lemma (dictionary_table)

    def knows(self, word: str) -> bool:
        """Whether the dictionary holds this accent-free word as an inflected form ("majore"
        for "majoré"); invariable words ("temps") and names are not in it."""
        return word in self._lemmas

    def lemma(self, word: str) -> str:
        """The word's lemma, accent-free; the word itself when the dictionary lacks it."""
        return self._lemmas.get(word, word)


def dictionary_table() -> dict[str, str]:
    """simplemma's French forms without accents, each with its lemma without accents; a form
    written without accents in the dictionary wins over another form's plain spelling."""
    from simplemma.strategies.dictionaries import (  # noqa: PLC0415 - slow: only to build
        DefaultDictionaryFactory,
    )
    forms = DefaultDictionaryFactory().get_dictionary("fr")
    table = {form: lemma.lower().translate(PLAIN) for form, lemma in forms.items()
             if form.isascii()}
    for form, lemma in forms.items():
        if not form.isascii():
            table.setdefault(form.translate(PLAIN), lemma.lower().translate(PLAIN))
    return table


@cache
def lemmatizer() -> Lemmatizer:
    """The process's lemmatizer, from the cached table when it matches simplemma's data."""
    folder = config.cache_dir()
    path = None
    try:
        path = folder / f"lemmes-fr-{_data_fingerprint()}.txt" if folder else None
        if path is not None and path.exists():
            return Lemmatizer(_read(path))
    except (OSError, ValueError) as error:
        log.warning("table des lemmes illisible (%s) : relue du dictionnaire", error)
    table = dictionary_table()
    if path is not None:
        cachefile.write(path, lambda out: out.write(_written(table)), what="table des lemmes",
                        lost="elle sera relue du dictionnaire au prochain démarrage")
    return Lemmatizer(table)


def _data_fingerprint() -> str:
    """What the table depends on: simplemma's French data file and the table's format."""
    spec = importlib.util.find_spec("simplemma")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("simplemma introuvable")
    folder = Path(next(iter(spec.submodule_search_locations)))
    data = (folder / "strategies" / "dictionaries" / "data" / "fr.plzma").read_bytes()
    return hashlib.sha256(data + bytes([TABLE_FORMAT])).hexdigest()[:32]


def _written(table: dict[str, str]) -> bytes:
    """The forms, one per line, a blank line, then their lemmas in the same order."""
    return ("\n".join(table) + "\n\n" + "\n".join(table.values())).encode()


def _read(path: Path) -> dict[str, str]:
    forms, lemmas = path.read_bytes().decode().split("\n\n")
    forms_list, lemmas_list = forms.split("\n"), lemmas.split("\n")
    if len(forms_list) != len(lemmas_list):
        raise ValueError("autant de formes que de lemmes attendu")
    return dict(zip(forms_list, lemmas_list, strict=True))
