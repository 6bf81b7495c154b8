"""A second reader of questions: multinomial logistic regression trained on the FAQ's own
phrasings, over the matcher's terms, pairs of neighbouring terms and pieces of terms (TF-IDF).
When it names the matcher's best entry with enough probability, the match is answered at once."""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

FORMAT = 2               # bump when features or training change: cached models are retrained
REGULARISATION = 20.0    # C of the log-loss: most right answers on tuning + dev with no
                         # extra wrong one on tuning (10 and 50 measured, bench/faq.py)
MAX_ITERATIONS = 500
PIECES = (3, 4, 5)       # lengths of the letter sequences read in each term


def features(terms: Sequence[str]) -> Counter[str]:
    """A question's features, with counts: its terms, each pair of neighbouring terms, and the
    letter sequences of each term ("#<pa", "#pay"…), which a misspelt word mostly shares."""
    found = Counter(terms)
    found.update(f"{a} {b}" for a, b in pairwise(terms))
    found.update(f"#{marked[i:i + n]}" for marked in (f"<{word}>" for word in terms)
                 for n in PIECES for i in range(len(marked) - n + 1))
    return found


def tfidf(terms: Sequence[str], columns: dict[str, int], idf: np.ndarray
          ) -> tuple[list[int], np.ndarray]:
    """Known features' rows and their TF-IDF values (sublinear counts), of unit length."""
    rows, counts = [], []
    for feature, count in features(terms).items():
        row = columns.get(feature)
        if row is not None:
            rows.append(row)
            counts.append(count)
    vector = (1 + np.log(np.array(counts, dtype=float))) * idf[rows]
    norm = float(np.sqrt(vector @ vector)) if rows else 0.0
    return rows, vector / norm if norm else vector


@dataclass(frozen=True, slots=True, kw_only=True)
class Classifier:
    """Weights of the regression: one column per entry, one row per known feature."""

    entry_ids: tuple[str, ...]
    columns: dict[str, int]      # feature → row of `idf` and `weights`
    idf: np.ndarray              # (features,)
    weights: np.ndarray          # (features, entries)
    bias: np.ndarray             # (entries,)

    def predict(self, terms: Sequence[str]) -> tuple[str, float] | None:
        """The likeliest entry for these terms and its probability; None without a known one."""
        rows, values = tfidf(terms, self.columns, self.idf)
        if not rows:
            return None
        scores = values @ self.weights[rows] + self.bias
        scores = np.exp(scores - scores.max())
        best = int(scores.argmax())
        return self.entry_ids[best], float(scores[best] / scores.sum())

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything needed to rebuild it, as arrays (for numpy's .npz)."""
        return {"entry_ids": np.array(self.entry_ids), "features": np.array(list(self.columns)),
                "idf": self.idf, "weights": self.weights, "bias": self.bias}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Classifier:
        return cls(entry_ids=tuple(str(i) for i in arrays["entry_ids"]),
                   columns={str(f): k for k, f in enumerate(arrays["features"])},
                   idf=arrays["idf"], weights=arrays["weights"], bias=arrays["bias"])


def fingerprint(documents: Sequence[Sequence[str]], labels: Sequence[str]) -> str:
    """What a trained model depends on: the training data and how it is trained."""
    data = json.dumps([FORMAT, REGULARISATION, PIECES, list(map(list, documents)),
                       list(labels)])
    return hashlib.sha256(data.encode()).hexdigest()


def train(documents: Sequence[Sequence[str]], labels: Sequence[str]) -> Classifier:
    """Fit the regression on phrasings (their terms) labelled by their entry's id."""
    from scipy.optimize import minimize  # noqa: PLC0415 - only training loads scipy
    from scipy.sparse import csr_matrix  # noqa: PLC0415

    entry_ids = tuple(dict.fromkeys(labels))
    counted = [features(terms) for terms in documents]
    document_frequency = Counter(f for found in counted for f in found)
    columns = {f: k for k, f in enumerate(sorted(document_frequency))}
    n = len(documents)
    idf = np.array([math.log((1 + n) / (1 + document_frequency[f])) + 1 for f in columns])
    rows, cols, values = [], [], []
    for i, terms in enumerate(documents):
        found, vector = tfidf(terms, columns, idf)
        rows += [i] * len(found)
        cols += found
        values += vector.tolist()
    x = csr_matrix((values, (rows, cols)), shape=(n, len(columns)))
    xt = x.T.tocsr()
    target = np.zeros((n, len(entry_ids)))
    column_of = {entry_id: k for k, entry_id in enumerate(entry_ids)}
    target[np.arange(n), [column_of[label] for label in labels]] = 1
    shape = (len(columns), len(entry_ids))

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = theta[:-shape[1]].reshape(shape), theta[-shape[1]:]
        scores = x @ weights + bias
        scores -= scores.max(axis=1, keepdims=True)
        log_p = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        loss = -REGULARISATION * float((target * log_p).sum()) + 0.5 * float((weights ** 2).sum())
        error = REGULARISATION * (np.exp(log_p) - target)
        gradient = np.concatenate([(xt @ error + weights).ravel(), error.sum(axis=0)])
        return loss, gradient

    found = minimize(loss_and_gradient, np.zeros(shape[0] * shape[1] + shape[1]), jac=True,
                     method="L-BFGS-B", options={"maxiter": MAX_ITERATIONS})
    return Classifier(entry_ids=entry_ids, columns=columns, idf=idf,
                      weights=found.x[:-shape[1]].reshape(shape).astype(np.float32),
                      bias=found.x[-shape[1]:])
