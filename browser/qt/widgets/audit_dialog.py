"""AuditDialog: what an audit sample will be, before it fills the grid.

Images per class; which classes (every class below the synset, or only those nobody has
reviewed yet); the order (grouped by class, shuffled with a seed that is shown and can be
typed again to get the same order, or — once a model's predictions are loaded — the model's
suspected label errors first, in the suspect ranking's order); and, updated as these change,
how many images and classes that makes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from browser.core.dataset.view import DatasetView
from browser.core.predictions.modelstate import ModelState
from browser.core.review.sampling import (
    DEFAULT_SEED,
    audit_sample,
    class_sizes,
    sample_size,
    shuffled,
)

NO_MODEL = "Import a model's predictions (Model tab) to put its suspected label errors first"


class AuditDialog(QDialog):
    def __init__(
        self,
        view: DatasetView,
        synset: int,
        reviewed_classes: set[int],
        parent: QWidget | None = None,
        model: ModelState | None = None,
    ) -> None:
        super().__init__(parent)
        self.view, self.synset = view, synset
        # Only a model of this very index ranks its rows.
        self.model = model if model is not None and model.index is view.index else None
        self.reviewed_classes = reviewed_classes
        self.sizes = class_sizes(view, synset)
        name = view.hierarchy.name(synset)
        self.setWindowTitle("Audit sample")
        self.per_class = QSpinBox(minimum=1, maximum=100_000, value=10)
        self.per_class.setSuffix(" images per class")
        self.all_classes = QRadioButton(f"All {len(self.sizes):,} classes below “{name}”")
        unreviewed = len(set(self.sizes) - reviewed_classes)
        self.unreviewed = QRadioButton(f"Only the {unreviewed:,} classes with no verdict yet")
        self.all_classes.setChecked(True)
        which = QButtonGroup(self)
        which.addButton(self.all_classes)
        which.addButton(self.unreviewed)
        self.grouped = QRadioButton("Grouped by class")
        self.shuffle = QRadioButton("Shuffled, seed")
        self.shuffle.setChecked(True)
        self.suspects = QRadioButton("Suspects first")
        if self.model is None:
            self.suspects.setEnabled(False)
            self.suspects.setToolTip(NO_MODEL)
        else:
            self.suspects.setToolTip(
                f"The images model {self.model.predictions.info.name} suspects of a wrong "
                "label first, most suspicious first; then the others"
            )
        order = QButtonGroup(self)
        for button in (self.grouped, self.shuffle, self.suspects):
            order.addButton(button)
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1, value=DEFAULT_SEED)
        self.seed.setToolTip("The same seed gives the same sample in the same order")
        self.total = QLabel()
        form = QFormLayout()
        form.addRow("Sample", self.per_class)
        form.addRow("Classes", self.all_classes)
        form.addRow("", self.unreviewed)
        form.addRow("Order", self.grouped)
        shuffled = QHBoxLayout()  # the seed beside its choice, in the column of the choices
        shuffled.addWidget(self.shuffle)
        shuffled.addWidget(self.seed, 1)
        form.addRow("", shuffled)
        form.addRow("", self.suspects)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Review these")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.total)
        layout.addWidget(buttons)
        for signal in (self.per_class.valueChanged, self.seed.valueChanged):
            signal.connect(lambda _: self._update())
        for button in (
            self.all_classes,
            self.unreviewed,
            self.grouped,
            self.shuffle,
            self.suspects,
        ):
            button.toggled.connect(lambda _: self._update())
        self._update()

    def chosen_classes(self) -> set[int] | None:
        if self.unreviewed.isChecked():
            return set(self.sizes) - self.reviewed_classes
        return None

    def _update(self) -> None:
        classes = self.chosen_classes()
        count = sample_size(self.sizes, self.per_class.value(), classes)
        drawn = len(self.sizes) if classes is None else len(classes)
        self.seed.setEnabled(self.shuffle.isChecked())
        classes_text = "class" if drawn == 1 else "classes"
        self.total.setText(f"That makes {count:,} images from {drawn:,} {classes_text}.")

    def rows(self) -> np.ndarray:
        """The sample as chosen: the same choices always give the same rows in the same order."""
        seed = self.seed.value()
        rows = audit_sample(
            self.view, self.synset, self.per_class.value(), seed, self.chosen_classes()
        )
        if self.suspects.isChecked() and self.model is not None:
            return self.model.most_suspicious_first(rows)
        return shuffled(rows, seed) if self.shuffle.isChecked() else rows

    def describe(self) -> str:
        if self.suspects.isChecked() and self.model is not None:
            order = f"suspects of {self.model.predictions.info.name} first"
        elif self.shuffle.isChecked():
            order = f"shuffled with seed {self.seed.value()}"
        else:
            order = "by class"
        return f"up to {self.per_class.value()} per class, {order}"
