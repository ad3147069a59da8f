"""Likely label errors first: every image with a prediction ranked by how suspicious its label is.

``method`` says how (higher ``score`` = more suspicious):

- ``cleanlab``: full probabilities and cleanlab installed (``synset-browser[labels]``): the
  score is 1 − ``cleanlab.rank.get_label_quality_scores``, and ``flagged`` marks the images
  ``cleanlab.filter.find_label_issues`` finds (confident learning; not re-implemented here).
  Both run with ``n_jobs=1``: no process is forked (the window's process is a Qt one).
- ``self-confidence``: full probabilities without cleanlab: 1 − the probability of the given
  label. Nothing is flagged; ``notes`` say how to get cleanlab's flags.
- ``other-class-confidence``: top-k or top-1 predictions: the model's highest probability on
  a class other than the label, less the label's probability where the top k name it (so it
  runs from −1 to 1). This ranking is the weaker one: where the label is not among the top k
  it cannot tell how unlikely the label was.

Only images whose label is among the model's classes are ranked; the others are counted.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass, field

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.predictions.store import Predictions

CLEANLAB = "cleanlab"
SELF_CONFIDENCE = "self-confidence"
OTHER_CLASS = "other-class-confidence"
METHODS = {
    CLEANLAB: "cleanlab's label quality score; flagged by cleanlab's find_label_issues",
    SELF_CONFIDENCE: "1 − the probability of the label (cleanlab not installed: nothing flagged)",
    OTHER_CLASS: "the highest probability on another class among the top k, less the label's "
    "(weaker ranking)",
}
INSTALL_HINT = "pip install 'synset-browser[labels]' to rank with cleanlab and flag label issues"


@dataclass
class Ranking:
    """Images ranked most suspicious first: dataset ``rows`` with their ``score`` and
    whether cleanlab ``flagged`` them; ``predicted`` is each one's top-1 and ``label_nodes``
    its label (hierarchy nodes)."""

    method: str
    rows: np.ndarray
    score: np.ndarray
    flagged: np.ndarray
    predicted: np.ndarray
    label_nodes: np.ndarray
    unranked: int = 0  # images with a prediction whose label is not among the model's classes
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def suspected(self) -> np.ndarray:
        """Per ranked image, whether it is a suspected label error: flagged by cleanlab where
        cleanlab ran, else predicted as another class."""
        if self.method == CLEANLAB:
            return self.flagged
        return self.predicted != self.label_nodes

    def position_of_rows(self, size: int) -> np.ndarray:
        """Per dataset row, its place in the ranking (0 = most suspicious), -1 if unranked."""
        found = np.full(size, -1, dtype=np.int64)
        found[self.rows] = np.arange(len(self.rows))
        return found


def cleanlab_available() -> bool:
    return importlib.util.find_spec("cleanlab") is not None


def rank_suspects(
    index: DatasetIndex, predictions: Predictions, *, use_cleanlab: bool = True
) -> Ranking:
    """Rank every image of ``predictions`` whose label the model knows, most suspicious first."""
    columns = predictions.label_columns(index.labels)
    ranked = np.flatnonzero(columns >= 0)
    labels = columns[ranked]
    notes: list[str] = []
    flagged = np.zeros(len(ranked), dtype=bool)
    if predictions.probs is not None:
        probs = predictions.probs if len(ranked) == len(columns) else predictions.probs[ranked]
        if use_cleanlab and cleanlab_available() and len(ranked):
            method = CLEANLAB
            score, flagged, notes = _cleanlab(labels, probs)
        else:
            method = SELF_CONFIDENCE
            score = 1.0 - probs[np.arange(len(ranked)), labels].astype(np.float64)
            notes.append(f"ranked by self-confidence; {INSTALL_HINT}")
    else:
        method = OTHER_CLASS
        score = _other_class(predictions, ranked, labels)
        notes.append(
            "ranked by the model's confidence in another class: with top-k predictions only, "
            "this ranking is weaker than one from full probabilities"
        )
    # Most suspicious first; ties in path order (rows are in path order).
    order = np.lexsort((predictions.rows[ranked], -score))
    records = ranked[order]
    unranked = int(len(columns) - len(ranked))
    if unranked:
        notes.append(
            f"{unranked:,} images have a label that is not among the model's classes; "
            "they are not ranked and not in the accuracies"
        )
    return Ranking(
        method,
        predictions.rows[records],
        score[order],
        flagged[order],
        predictions.predicted[records],
        index.labels[predictions.rows[records]].astype(np.int64),
        unranked,
        notes,
    )


def _other_class(predictions: Predictions, ranked: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The highest probability on another class, less the label's where the top k hold it
    (an image the model half believes is what its label says is less suspicious)."""
    assert predictions.top_class is not None
    assert predictions.top_prob is not None
    classes = predictions.top_class[ranked]
    probs = predictions.top_prob[ranked].astype(np.float64)
    own = classes == labels[:, None]
    other = (classes >= 0) & ~own
    return np.where(other, probs, 0.0).max(axis=1, initial=0.0) - np.where(own, probs, 0.0).sum(
        axis=1
    )


def _cleanlab(labels: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """cleanlab's scores and flags, and what it warned about, as notes for the user.

    cleanlab warns (UserWarning) for each class with too few images to flag any in: that is
    information for the user, so it is collected and said once, not raised or printed."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quality = get_label_quality_scores(labels, probs)
        flagged = find_label_issues(labels, probs, n_jobs=1)
    notes = []
    few = [w for w in caught if "too few examples" in str(w.message)]
    if few:
        notes.append(
            f"cleanlab flags nothing in {len(few):,} of the model's classes: they have too few "
            "images here (the ranking still covers them)"
        )
    notes += [f"cleanlab: {w.message}" for w in caught if w not in few]
    return 1.0 - np.asarray(quality, dtype=np.float64), np.asarray(flagged, dtype=bool), notes
