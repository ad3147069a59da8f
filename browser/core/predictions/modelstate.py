"""One model's predictions as the window uses them: per dataset row, its place in the suspect
ranking, whether it is a suspected label error, and its top-1; made once, in the background."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from browser.core.dataset.index import DatasetIndex
from browser.core.predictions.mistakes import MistakeSummary, Severity, summarise
from browser.core.predictions.store import Predictions, PredictionStore
from browser.core.predictions.suspects import Ranking, rank_suspects


@dataclass
class ModelState:
    index: DatasetIndex
    predictions: Predictions
    ranking: Ranking
    summary: MistakeSummary
    severity: Severity
    rank_of_row: np.ndarray  # per dataset row: 0 = most suspicious, -1 = not ranked
    suspected_row: np.ndarray  # per dataset row: a suspected label error
    predicted_row: np.ndarray  # per dataset row: the top-1 node, -1 without a prediction
    record_of_row: np.ndarray  # per dataset row: its record in ``predictions``, -1 if none

    def most_suspicious_first(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` in ranking order; the unranked after them, in the order given."""
        ranks = self.rank_of_row[rows]
        order = np.argsort(np.where(ranks < 0, np.iinfo(np.int64).max, ranks), kind="stable")
        return rows[order]

    def only_suspected(self, rows: np.ndarray) -> np.ndarray:
        return rows[self.suspected_row[rows]]

    def predicted_if_different(self, row: int) -> int | None:
        """The top-1 of ``row`` where it is not the label (None otherwise)."""
        predicted = int(self.predicted_row[row])
        if predicted < 0 or predicted == int(self.index.labels[row]):
            return None
        return predicted

    def top(self, row: int, k: int = 5) -> list[tuple[int, float, str]]:
        """The image's top ``k``: (node, probability, relation to the label)."""
        record = int(self.record_of_row[row])
        if record < 0:
            return []
        label = int(self.index.labels[row])
        return [
            (node, probability, self.severity.relation(label, node))
            for node, probability in self.predictions.top(record, k)
        ]

    def suspect_precision(
        self, rows: np.ndarray, wrong: np.ndarray, judged: np.ndarray
    ) -> tuple[int, int]:
        """Of the suspects among ``rows`` that a reviewer judged (``judged``: rows with a
        verdict on the label), how many were ``wrong`` (rows with ``wrong_label``)."""
        suspects = self.only_suspected(rows)
        reviewed = suspects[np.isin(suspects, judged)]
        return int(np.isin(reviewed, wrong).sum()), len(reviewed)


def load_model_state(data_dir: Path, index: DatasetIndex, name: str | None = None) -> ModelState:
    """The latest (or the named) model of ``index``'s dataset, ranked and summarised.
    PredictionsError when none is imported."""
    predictions = PredictionStore.for_index(data_dir, index).load(index, name)
    return model_state(index, predictions)


def model_state(index: DatasetIndex, predictions: Predictions) -> ModelState:
    ranking = rank_suspects(index, predictions)
    severity = Severity(index.hierarchy)
    summary = summarise(index, predictions, ranking, severity)
    size = len(index)
    suspected = np.zeros(size, dtype=bool)
    suspected[ranking.rows[ranking.suspected]] = True
    predicted = np.full(size, -1, dtype=np.int64)
    predicted[predictions.rows] = predictions.predicted
    return ModelState(
        index,
        predictions,
        ranking,
        summary,
        severity,
        ranking.position_of_rows(size),
        suspected,
        predicted,
        predictions.record_of_rows(size),
    )
