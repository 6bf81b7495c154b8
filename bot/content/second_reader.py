"""The FAQ's second reader, trained once per content: kept in a cache folder under its
training data's fingerprint, trained again (ten seconds or so) when the FAQ changes."""

from __future__ import annotations

import logging
import os
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from bot.faq.classifier import Classifier, fingerprint, train
from bot.faq.matcher import FaqMatcher

log = logging.getLogger(__name__)
STALE_AFTER = 86_400   # seconds: another content's model written this long ago is removed


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
        _save(classifier, path)
    return classifier


def _save(classifier: Classifier, path: Path) -> None:
    """Write it whole or not at all (two processes may train at once); a failure is logged."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            temporary = Path(out.name)
            np.savez(out, **classifier.arrays())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        log.warning("modèle de la FAQ non conservé dans %s (%s) : il sera réentraîné au "
                    "prochain démarrage", path.parent, error)
        return
    for old in path.parent.glob("lecteur-faq-*.npz"):   # earlier contents' models
        if old != path and time.time() - old.stat().st_mtime > STALE_AFTER:
            old.unlink(missing_ok=True)
