"""What people type instead of pressing a button: the label, its first letters, some of its
words, a synonym the flow declares (« mots »), with accents, case and small typos forgiven.

Pure: `match(text, choices)` returns the key of the one choice the text designates, or None
when it designates none or several (the question is then asked again).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.text import strip_accents

# Words that carry no choice: articles, "c'est", "je", "plutôt"… (after normalize)
FILLERS = frozenset(
    "un une le la les l d de du des c est cest j je ai suis nous sommes on en a au aux pour "
    "par plutot svp merci ca ce cela voila notre nos mon ma mes".split())
WORD = re.compile(r"[a-z0-9€]+")
MIN_PREFIX = 3        # "gua" for Guadeloupe; "oui" for "Oui, uniquement des membres publics"
MIN_WORD_PREFIX = 4   # "asso" for association
TYPO_RATIO = 85.0     # rapidfuzz ratio for two words to be the same word
MIN_TYPO_LENGTH = 5   # shorter words must be exact ("ess" is not "esh")


@dataclass(frozen=True, slots=True)
class Choice:
    """A button people may type: what it returns, what it says, the words it also takes."""

    key: str
    label: str
    words: tuple[str, ...] = ()


def content_words(text: str) -> list[str]:
    """The words of a typed answer that can name a choice (number words stay words: "une
    association" is not "1 association")."""
    return [w for w in WORD.findall(strip_accents(text.lower())) if w not in FILLERS]


def match(text: str, choices: Sequence[Choice]) -> str | None:
    """The key of the choice `text` names, trying the closest reading first: the label or a
    synonym itself, a synonym within the text, the first letters of a label, words all found
    in one choice's label and synonyms (typos allowed); None if none or several."""
    wanted = " ".join(content_words(text))
    if not wanted:
        return None
    for level in (_exact, _synonym_inside, _prefix, _all_words):
        found = {c.key for c in choices if level(wanted, c)}
        if len(found) == 1:
            return found.pop()
        if len(found) > 1:
            return None
    return None


def _phrases(choice: Choice) -> list[str]:
    return [p for p in (" ".join(content_words(x)) for x in (choice.label, *choice.words)) if p]


def _exact(wanted: str, choice: Choice) -> bool:
    return wanted in _phrases(choice) or wanted == " ".join(content_words(choice.key))


def _synonym_inside(wanted: str, choice: Choice) -> bool:
    padded = f" {wanted} "
    return any(f" {phrase} " in padded for phrase in
               (" ".join(content_words(w)) for w in choice.words) if phrase)


def _prefix(wanted: str, choice: Choice) -> bool:
    label = " ".join(content_words(choice.label))
    return len(wanted) >= MIN_PREFIX and label.startswith(wanted) and not wanted.isdigit()


def _all_words(wanted: str, choice: Choice) -> bool:
    vocabulary = {w for phrase in _phrases(choice) for w in phrase.split()}
    return all(_known(word, vocabulary) for word in wanted.split())


def _known(word: str, vocabulary: set[str]) -> bool:
    """The word, the start of a word ("asso"), or a word with a typo ("asociation")."""
    if word in vocabulary:
        return True
    if word.isdigit():
        return False
    if len(word) >= MIN_WORD_PREFIX and any(v.startswith(word) for v in vocabulary):
        return True
    return len(word) >= MIN_TYPO_LENGTH and any(
        len(v) >= MIN_TYPO_LENGTH and fuzz.ratio(word, v) >= TYPO_RATIO for v in vocabulary)
