"""The FAQ's second reader, trained once per content: kept in a cache folder under its
training data's fingerprint, trained again (ten seconds or so) when the FAQ changes."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import numpy as np

from bot.core import cachefile
from bot.faq.classifier import Classifier, fingerprint, train
from bot.faq.matcher import FaqMatcher

log = logging.getLogger(__name__)


def second_reader(matcher: FaqMatcher, cache_dir: Path | None) -> Classifier:
    """The classifier of this matcher's phrasings: from the cache, else trained (and kept)."""
    documents, labels = matcher.training_documents()
    path = cache_dir / f"lecteur-faq-{fingerprint(documents, labels)[:32]}.npz" \
        if cache_dir else None
    if path is not None and path.exists():
        try:
            with np.load(path) as arrays:
                return Classifier.from_arrays(dict(arrays))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            log.warning("modèle de la FAQ illisible (%s) : nouvel entraînement", error)
    log.info("entraînement du second lecteur de la FAQ (%d formulations)", len(documents))
    classifier = train(documents, labels)
    if path is not None:
        cachefile.write(path, lambda out: np.savez(out, **classifier.arrays()),
                        what="modèle de la FAQ", lost="il sera réentraîné au prochain démarrage")
    return classifier
