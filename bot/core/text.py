"""Normalisation of French user text: case, accents, punctuation, number words, SMS spellings."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from text_to_num import alpha2digit

# Frequent abbreviations and SMS spellings, after accents are stripped.
SMS = {
    "cb": "combien", "cbn": "combien", "cmb": "combien", "koi": "quoi", "kwa": "quoi",
    "qd": "quand", "kan": "quand", "pr": "pour", "pk": "pourquoi", "pq": "pourquoi",
    "pkoi": "pourquoi", "ki": "qui", "kel": "quel", "kelle": "quelle", "kels": "quels",
    "ke": "que", "ds": "dans", "ms": "mais", "tt": "tout", "tjs": "toujours",
    "tjrs": "toujours", "bcp": "beaucoup", "cmt": "comment", "cmnt": "comment", "dc": "donc",
    "vs": "vous", "nb": "nombre", "nbre": "nombre", "mm": "meme", "ya": "il y a",
    "jsp": "je ne sais pas", "qqn": "quelqu un", "qqch": "quelque chose", "svp": "",
    "stp": "", "merci": "", "bjr": "bonjour", "slt": "salut", "c": "c est", "g": "j ai",
    "ct": "c etait", "oqp": "occupe", "rdv": "rendez vous", "infos": "information",
    "info": "information", "pb": "probleme", "pbm": "probleme", "dept": "departement",
    "dpt": "departement", "com": "commune", "mairie": "commune", "cc": "communaute communes",
    "cnfs": "conseiller numerique", "cn": "conseiller numerique", "cnum": "conseiller numerique",
    "conum": "conseiller numerique", "outremer": "outre mer", "dom": "outre mer",
    "drom": "outre mer", "om": "outre mer", "ultramarin": "outre mer",
    "ultramarins": "outre mer", "ultramarine": "outre mer", "ultramarines": "outre mer",
    "k": "000", "keur": "000 euros",
    "eur": "euros", "e": "euros", "smig": "smic", "etp": "equivalent temps plein",
}

_PUNCT = re.compile(r"[^\w€]+")
_DIGITS_GLUED = re.compile(r"(\d)([a-z€])|([a-z€])(\d)")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")
_SPACES = re.compile(r"\s+")


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The accented Latin letters, stripped once: most texts then need no decomposition.
_LATIN = {code: _without_marks(chr(code)) for code in range(0xC0, 0x250)
          if _without_marks(chr(code)) != chr(code)} | \
    {ord("œ"): "oe", ord("Œ"): "OE", ord("æ"): "ae", ord("Æ"): "AE"}


def strip_accents(text: str) -> str:
    """Remove diacritics: "Réunion" → "Reunion", "œuvre" → "oeuvre"."""
    if not text.isascii():
        text = text.translate(_LATIN)
        if not text.isascii():
            text = _without_marks(text)
    return text


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with number words as digits."""
    text = strip_accents(text.lower())
    text = _PUNCT.sub(" ", text).replace("_", " ")
    text = _DIGITS_GLUED.sub(lambda m: " ".join(g for g in m.groups() if g), text)
    words = []
    for word in text.split():
        words.append(SMS.get(word, word))
    text = " ".join(w for w in words if w)
    text = alpha2digit(text, "fr", threshold=0) if text else text
    text = _THOUSANDS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    """Words of the normalised text."""
    return normalize(text).split()
