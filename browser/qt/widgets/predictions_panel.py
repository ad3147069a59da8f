"""PredictionsPanel: the "Model" tab — a model's accuracy, mistakes and suspects for the
selected synset and the current image, and the grid's suspect order and filter.

Importing, ranking (cleanlab, n_jobs=1: nothing is forked) and the roll-ups run on a private
worker thread; the window stays responsive and is told when they are done. Results of a
dataset that is no longer open are dropped (each request carries a generation).

Signals:
    stateChanged(): a model was loaded, or none is (refill the grid, repaint).
    rowsChosen(object, str, bool): dataset rows to show, a title, and whether to review them.
    message(str): what the user should read in the status bar.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.view import DatasetView
from browser.core.predictions.confusion import confusion
from browser.core.predictions.modelstate import ModelState, load_model_state
from browser.core.predictions.predictionfile import PredictionFileError
from browser.core.predictions.store import (
    FOLDER,
    PredictionsError,
    PredictionStore,
    import_predictions,
)
from browser.qt.background import CallableTask, serial_pool
from browser.qt.review import ReviewController
from browser.qt.widgets.confusion_view import ConfusionDialog

ALL, SUSPICIOUS_FIRST, SUSPECTED_ONLY = "all", "suspicious", "suspected"


class _Done(QObject):
    loaded = Signal(int, object, str)  # generation, ModelState or None, message


class PredictionsPanel(QWidget):
    stateChanged = Signal()
    rowsChosen = Signal(object, str, bool)
    message = Signal(str)

    def __init__(
        self, data_dir: Path, review: ReviewController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.review = review
        self.view: DatasetView | None = None
        self.state: ModelState | None = None
        self.synset: int | None = None
        self.generation = 0
        self.confusion_dialog: ConfusionDialog | None = None
        self._pool = serial_pool(self)
        self._done = _Done(self)
        self._done.loaded.connect(self._loaded)
        self.grid_mode = QComboBox()
        self.grid_mode.addItem("Model: any order", ALL)
        self.grid_mode.addItem("Model: most suspicious first", SUSPICIOUS_FIRST)
        self.grid_mode.addItem("Model: suspected label errors", SUSPECTED_ONLY)
        self.grid_mode.setToolTip("Order or filter by the imported model's suspects")
        self.grid_mode.setEnabled(False)
        # Shown once a model is imported: beside the review filter, a second disabled
        # "All images" box only puzzled (and took the controls row's width).
        self.grid_mode.setVisible(False)
        self.model_label = QLabel("No predictions imported. File › Import predictions…")
        self.synset_label = QLabel()
        self.precision_label = QLabel()
        self.image_label = QLabel()
        for label in (self.model_label, self.synset_label, self.precision_label, self.image_label):
            label.setWordWrap(True)
        self.import_button = QPushButton("Import predictions…")
        self.import_button.clicked.connect(self.choose_file)
        self.confusion_button = QPushButton("Confusion view…")
        self.confusion_button.clicked.connect(self.open_confusion)
        self.review_button = QPushButton("Review suspects in order")
        self.review_button.clicked.connect(self.review_suspects)
        layout = QVBoxLayout(self)
        for widget in (
            self.model_label,
            self.import_button,
            self.synset_label,
            self.precision_label,
            self.confusion_button,
            self.review_button,
            self.image_label,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._enable()

    # -- loading ------------------------------------------------------------------------

    def set_view(self, view: DatasetView) -> None:
        """A dataset was opened: load its latest model in the background."""
        self.view = view
        self.state = None
        self._enable()
        self.generation += 1  # whatever is still loading for the dataset before is dropped
        # No job (no thread, nothing holding the dataset) until a model has been imported.
        if any((self.data_dir / FOLDER).glob("*/*.npz")):
            self._start(lambda: None)
        else:
            self.model_label.setText("No predictions imported. File › Import predictions…")

    def import_file(self, path: str, model: str | None = None) -> None:
        """Import ``path`` for the open dataset in the background, then load it."""
        if self.view is not None:
            index = self.view.index
            self._start(lambda: self._import(index, path, model))

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import predictions", "", "Predictions (*.npz *.csv *.jsonl *.ndjson)"
        )
        if path:
            self.import_file(path)

    def _import(self, index: DatasetIndex, path: str, model: str | None) -> str:
        store = PredictionStore.for_index(self.data_dir, index)
        report = import_predictions(store, index, path, model)
        said = f"{report.model.name}: {report.model.images:,} images imported"
        if report.problems:
            said += f"; {len(report.problems):,} problems, first: {report.problems[0]}"
        return said

    def _start(self, before: object) -> None:
        self.generation += 1
        generation, view = self.generation, self.view
        if view is None:
            return
        self.model_label.setText("Loading predictions…")
        index, data_dir = view.index, self.data_dir  # the job holds the index, not the view

        def work() -> None:
            said = ""
            try:
                said = before() or ""  # type: ignore[operator]
                state = load_model_state(data_dir, index)
            except (PredictionsError, PredictionFileError, OSError) as exc:
                self._done.loaded.emit(generation, None, f"{said} {exc}".strip())
                return
            self._done.loaded.emit(generation, state, said)

        self._pool.start(CallableTask(work))

    def _loaded(self, generation: int, state: ModelState | None, said: str) -> None:
        if generation != self.generation:
            return  # another dataset or import since
        self.state = state
        if said:
            self.message.emit(said)
        if state is None:
            self.model_label.setText(said or "No predictions imported.")
        else:
            info, ranking = state.predictions.info, state.ranking
            notes = "".join(f"\n{note}" for note in ranking.notes)
            self.model_label.setText(
                f"Model {info.name} ({info.kind}, {info.images:,} images); suspects ranked by "
                f"{ranking.method}{notes}"
            )
        self._enable()
        if self.synset is not None:
            self.show_synset(self.synset)
        self.stateChanged.emit()

    def _enable(self) -> None:
        ready = self.state is not None
        for widget in (self.grid_mode, self.confusion_button, self.review_button):
            widget.setEnabled(ready)
        self.grid_mode.setVisible(ready)
        self.import_button.setEnabled(self.view is not None)

    def stop(self) -> None:
        self.generation += 1
        self._pool.waitForDone()

    # -- what the window asks -----------------------------------------------------------

    def apply(self, rows: np.ndarray) -> np.ndarray:
        """The grid's rows in the chosen order, or only the suspects."""
        state, mode = self.state, self.grid_mode.currentData()
        if state is None or self.view is None or state.index is not self.view.index:
            return rows
        if mode == SUSPICIOUS_FIRST:
            return state.most_suspicious_first(rows)
        if mode == SUSPECTED_ONLY:
            return state.most_suspicious_first(state.only_suspected(rows))
        return rows

    def synset_metric(self, synset: int, column: int) -> float | None:
        """The tree's model columns: top-1 accuracy or mean mistake severity at ``synset``."""
        from browser.qt.models.tree_model import TOP1_COLUMN

        state = self.state
        if state is None or self.view is None or state.index is not self.view.index:
            return None
        entry = state.summary.node(synset)
        value = entry["top1"] if column == TOP1_COLUMN else entry["mistake_severity"]
        return None if value is None else float(value)  # type: ignore[arg-type]

    def predicted_name(self, index: DatasetIndex, row: int) -> str:
        """The name of the image's top-1 where it differs from the label ("" otherwise)."""
        state = self.state
        if state is None or state.index is not index:
            return ""
        predicted = state.predicted_if_different(row)
        return "" if predicted is None else index.hierarchy.name(predicted)

    def show_synset(self, synset: int) -> None:
        self.synset = synset
        state, view = self.state, self.view
        if state is None or view is None:
            self.synset_label.setText("")
            self.precision_label.setText("")
            return
        entry = state.summary.node(synset)
        name = view.hierarchy.name(synset)
        parts = [f"{name}: {entry['images']:,} images with a prediction"]
        if entry["top1"] is not None:
            parts.append(f"top-1 {entry['top1']:.1%}")
        if entry["top5"] is not None:
            parts.append(f"top-5 {entry['top5']:.1%}")
        if entry["mistake_severity"] is not None:
            parts.append(f"mean mistake severity {entry['mistake_severity']:.2f}")
        parts.append(f"{entry['suspects']:,} suspected label errors")
        caption = confusion(view, state.ranking, synset).caption(name)
        self.synset_label.setText(", ".join(parts) + f"\n{caption}")
        self.show_precision()

    def show_precision(self) -> None:
        """How many reviewed suspects were confirmed wrong_label, next to the random-sample
        estimate of the error rate."""
        state, view, synset = self.state, self.view, self.synset
        if state is None or view is None or synset is None:
            return
        judged = np.unique(
            np.concatenate(
                [self.review.rows_with(k) for k in ("correct", "wrong_label", "ambiguous")]
            )
        )
        wrong, reviewed = state.suspect_precision(
            view.rows(synset), self.review.rows_with("wrong_label"), judged
        )
        text = (
            f"Suspects reviewed: {reviewed:,}, confirmed wrong label: {wrong:,} "
            f"(precision {wrong / reviewed:.0%})"
            if reviewed
            else "No suspect reviewed yet."
        )
        summary = self.review.summary()
        rate = summary.error_rate(synset) if summary is not None else None
        if rate is not None:
            text += f" Random-sample error estimate: {rate:.1%}."
        self.precision_label.setText(text)

    def show_image(self, row: int) -> None:
        state = self.state
        if state is None or row < 0 or self.view is None or state.index is not self.view.index:
            self.image_label.setText("")
            return
        top = state.top(row)
        if not top:
            self.image_label.setText("No prediction for this image.")
            return
        names = state.index.hierarchy.name
        lines = [f"{names(node)} {p:.1%} — {relation}" for node, p, relation in top]
        self.image_label.setText("This image's top predictions:\n" + "\n".join(lines))

    def open_confusion(self) -> ConfusionDialog | None:
        state, view, synset = self.state, self.view, self.synset
        if state is None or view is None or synset is None:
            return None
        matrix = confusion(view, state.ranking, synset)
        dialog = ConfusionDialog(matrix, view.hierarchy.name(synset), self)
        dialog.cellChosen.connect(lambda rows, title: self.rowsChosen.emit(rows, title, False))
        dialog.show()
        self.confusion_dialog = dialog
        return dialog

    def review_suspects(self) -> None:
        state, view, synset = self.state, self.view, self.synset
        if state is None or view is None or synset is None:
            return
        rows = state.most_suspicious_first(state.only_suspected(view.rows(synset)))
        self.rowsChosen.emit(
            rows, f"Suspected label errors under {view.hierarchy.name(synset)}", True
        )
