"""French lemmas of accent-free words (simplemma's dictionary, looked up without accents)."""

from __future__ import annotations

from functools import cache, lru_cache

from simplemma.strategies.dictionaries import DefaultDictionaryFactory

# Accented letters of French words → their plain form: str.translate is ~10x faster than NFKD
# over the 250 000 forms of the dictionary.
PLAIN = str.maketrans({**dict.fromkeys("àâäáã", "a"), "ç": "c", **dict.fromkeys("éèêë", "e"),
                       **dict.fromkeys("îïíì", "i"), "ñ": "n", **dict.fromkeys("ôöóò", "o"),
                       **dict.fromkeys("ûüúù", "u"), "ÿ": "y", "œ": "oe", "æ": "ae"})


class Lemmatizer:
    """Lemma of a lower-case, accent-free French word ("financees" → "financer")."""

    def __init__(self) -> None:
        self._forms = DefaultDictionaryFactory().get_dictionary("fr")
        # plain spelling → a dictionary form with accents ("departements" → "départements")
        self._accented: dict[str, str] = {}
        for form in self._forms.keys():  # noqa: SIM118 - a Mapping view, read once
            if not form.isascii():
                self._accented.setdefault(form.translate(PLAIN), form)

    def knows(self, word: str) -> bool:
        """Whether the dictionary holds this accent-free word as an inflected form ("majore"
        for "majoré"); invariable words ("temps") and names are not in it."""
        return word in self._forms or word in self._accented

    # Bounded: users type new words without end. One lemmatizer per process (lemmatizer()).
    @lru_cache(maxsize=2 ** 15)  # noqa: B019
    def lemma(self, word: str) -> str:
        """The word's lemma, accent-free; the word itself when the dictionary lacks it."""
        lemma = self._forms.get(word) or self._forms.get(self._accented.get(word, ""))
        if lemma is None:
            return word
        return lemma.lower().translate(PLAIN)


@cache
def lemmatizer() -> Lemmatizer:
    """The process's lemmatizer (its dictionary takes a third of a second to load)."""
    return Lemmatizer()
