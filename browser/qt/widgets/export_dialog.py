"""ExportDialog: export the selected synset, or the images selected in the grid.

It says plainly what it will export ("dog: 118 classes, 1,300 images" or "6 images
selected in the grid") and, when both exist, lets the user choose. Its options are words a
user knows, mapped here to the core's values; a message from the core that names a
command-line flag is reworded to name the dialog's own control.

The dry-run summary is recomputed as the options change; planning and exporting run on a
worker thread (a plan over a million images takes seconds), with progress and Cancel. An
interrupted export is continued by exporting again into the same folder with "Resume".
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from browser.core.dataset.view import DatasetView
from browser.core.export.plan import (
    LABELS,
    MODES,
    ExportError,
    ExportOptions,
    ExportPlan,
    plan_export,
)
from browser.core.export.run import run_export
from browser.core.filenames import display
from browser.core.review.records import Verdict
from browser.qt.background import CallableTask, WorkerDialog

# The core's option values, as the dialog words them (in the core's order).
MODE_WORDS = {
    "copy": "Copy",
    "hardlink": "Hard links",
    "symlink": "Symbolic links",
    "none": "List only",
}
LABEL_WORDS = {
    "leaf": "Keep each image's class",
    "selected": "One class per selected synset",
}
NAME_WORDS = {"wnid": "Synset id (n02084071)", "wnid_name": "Synset id and name (n02084071_dog)"}
RESUME_TEXT = "Resume an interrupted export in this folder"


class _Signals(QObject):
    planned = Signal(object, object)  # options, ExportPlan or an error message (str)
    progress = Signal(int, int)
    finished = Signal(object)  # {mode: count} or an error message (str)


class ExportDialog(WorkerDialog):
    def __init__(
        self,
        view: DatasetView,
        synsets: list[int],
        images: list[str],
        verdicts: dict[str, Verdict],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.view, self.synsets, self.images, self.verdicts = view, synsets, images, verdicts
        self.setWindowTitle("Export")
        self.plan: ExportPlan | None = None
        self.outcome: dict[str, int] | str | None = None
        self._signals = _Signals(self)
        self._signals.planned.connect(self._planned)
        self._signals.progress.connect(self._progress)
        self._signals.finished.connect(self._finished)
        self._build()
        self.replan()

    def _build(self) -> None:
        self.what_synsets = QRadioButton(self._synsets_text())
        self.what_images = QRadioButton(f"{len(self.images):,} images selected in the grid")
        self.what = QButtonGroup(self)
        for button in (self.what_images, self.what_synsets):
            self.what.addButton(button)
        # The selection, when there is one: what the user just pointed at.
        (self.what_images if self.images else self.what_synsets).setChecked(True)
        self.what_images.setVisible(bool(self.images))
        self.what_synsets.toggled.connect(lambda _: self.replan())
        self.mode = _choice(MODE_WORDS, MODES)
        self.labels = _choice(LABEL_WORDS, LABELS)
        self.labels.setToolTip(
            "Keep each image's class: a folder per class of the dataset. "
            "One class per selected synset: everything below a synset goes into its folder."
        )
        self.names = _choice(NAME_WORDS, tuple(NAME_WORDS))
        self.per_class = QSpinBox(minimum=0, maximum=10_000_000)
        self.per_class.setSpecialValueText("all")  # 0: every image
        self.seed = QSpinBox(minimum=0, maximum=2**31 - 1)
        self.exclusions = {
            name: QCheckBox(f"leave out '{name.replace('_', ' ')}'")
            for name in ("wrong_label", "unusable")
        }
        self.splits = {name: QCheckBox(name) for name in self.view.index.splits}
        for box in self.splits.values():
            box.setChecked(True)
        self.out = QLineEdit()
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_folder)
        self.resume = QCheckBox(RESUME_TEXT)
        form = QFormLayout()
        form.addRow("Export", _column([self.what_synsets, self.what_images]))
        form.addRow("Files", self.mode)
        form.addRow("Classes", self.labels)
        form.addRow("Class folders", self.names)
        form.addRow("At most per class", self.per_class)
        form.addRow("Sample seed", self.seed)
        form.addRow("Verdicts", _row(list(self.exclusions.values())))
        form.addRow("Splits", _row(list(self.splits.values())))
        form.addRow("Into", _row([self.out, browse]))
        form.addRow("", self.resume)
        self.summary = QLabel("Planning…")
        self.summary.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.hide()
        self.start = QPushButton("Export")
        self.start.setEnabled(False)
        self.start.clicked.connect(self.run)
        self.stop = QPushButton("Close")
        self.stop.clicked.connect(self._stop)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.bar)
        layout.addWidget(_row([self.start, self.stop]))
        for combo in (self.mode, self.labels, self.names):
            combo.currentIndexChanged.connect(lambda _: self.replan())
        for spin in (self.per_class, self.seed):
            spin.valueChanged.connect(lambda _: self.replan())
        for box in [*self.exclusions.values(), *self.splits.values()]:
            box.toggled.connect(lambda _: self.replan())
        self.out.textChanged.connect(lambda _: self._update_start())

    def _synsets_text(self) -> str:
        """ "dog: 118 classes, 1,300 images" (several synsets: each, then the total)."""
        hierarchy, counts = self.view.hierarchy, self.view.counts
        parts = [
            f"{hierarchy.name(s)}: {int(counts.classes[s]):,} "
            f"{'class' if int(counts.classes[s]) == 1 else 'classes'}, "
            f"{int(counts.images[s]):,} images"
            for s in self.synsets
        ]
        return "; ".join(parts) + (", each with everything below it" if len(parts) > 1 else "")

    @property
    def exporting_images(self) -> bool:
        """True when the images selected in the grid are exported, not the synsets."""
        return bool(self.images) and self.what_images.isChecked()

    def options(self) -> ExportOptions:
        hierarchy = self.view.hierarchy
        images = self.exporting_images
        return ExportOptions(
            () if images else tuple(hierarchy.wnid(s) for s in self.synsets),
            self.mode.currentData(),
            self.labels.currentData(),
            tuple(name for name, box in self.splits.items() if box.isChecked()),
            self.per_class.value() or None,
            self.seed.value(),
            tuple(name for name, box in self.exclusions.items() if box.isChecked()),
            self.names.currentData(),
            images=tuple(self.images) if images else (),
        )

    def replan(self) -> None:
        options = self.options()
        self.start.setEnabled(False)
        self.summary.setText("Planning…")

        def plan() -> None:
            try:
                result: ExportPlan | str = plan_export(self.view, options, self.verdicts)
            except ExportError as exc:
                result = str(exc)
            self._signals.planned.emit(options, result)

        self._pool.start(CallableTask(plan))

    def _planned(self, options: ExportOptions, plan: ExportPlan | str) -> None:
        if options != self.options():
            return  # an older plan; a newer one is on its way
        if isinstance(plan, str):
            self.plan = None
            self.summary.setText(for_the_window(plan))
            return
        self.plan = plan
        size = sum(max(0, p.size) for p in plan.files)
        lines = [
            f"{len(plan.files):,} images ({size / 1e6:,.1f} MB) in {len(plan.classes):,} classes"
        ]
        if plan.overlapping:
            lines.append(
                f"{plan.overlapping:,} images under several selected synsets went to the most "
                "specific one"
            )
        if plan.excluded_by_verdict:
            lines.append(f"{plan.excluded_by_verdict:,} images left out by their verdict")
        if plan.renamed:
            lines.append(f"{plan.renamed:,} files renamed beside same-named ones")
        lines += [f"Note: {for_the_window(warning)}" for warning in plan.warnings]
        self.summary.setText("\n".join(lines))
        self._update_start()

    def _update_start(self) -> None:
        self.start.setEnabled(self.plan is not None and bool(self.out.text().strip()))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into")
        if folder:
            self.out.setText(folder)

    def run(self) -> None:
        plan, options = self.plan, self.options()
        if plan is None:
            return
        out, resume = Path(self.out.text().strip()), self.resume.isChecked()
        self._cancel.clear()
        self.start.setEnabled(False)
        self.stop.setText("Cancel")
        self.bar.setRange(0, max(1, len(plan.files)))
        self.bar.show()

        def export() -> None:
            try:
                result: dict[str, int] | str = run_export(
                    self.view,
                    options,
                    plan,
                    out,
                    resume=resume,
                    progress=self._signals.progress.emit,
                    cancelled=self._cancel.is_set,
                )
            except ExportError as exc:
                result = str(exc)
            self._signals.finished.emit(result)

        self._pool.start(CallableTask(export))

    def _progress(self, done: int, total: int) -> None:
        self.bar.setValue(done)

    def _finished(self, result: dict[str, int] | str) -> None:
        self.outcome = result
        self.stop.setText("Close")
        self.bar.hide()
        if isinstance(result, str):
            self.summary.setText(f"Stopped: {for_the_window(result)}")
            self._update_start()
        else:
            modes = ", ".join(
                f"{n:,} {MODE_WORDS.get(mode, mode).lower()}"
                for mode, n in sorted(result.items())
                if mode != "failed"
            )
            lines = [f"Done: {modes}. The manifest is manifest.csv in {self.out.text()}."]
            failed = getattr(result, "failed", [])
            if failed:
                # Each failure is in manifest.csv and export.json with its reason; Resume
                # tries them again.
                lines.append(
                    f"{len(failed):,} could not be exported, for example "
                    f"{display(failed[0][0])}: {failed[0][2]}. Export again with Resume ticked "
                    "to try them again."
                )
            lines += [f"Note: {for_the_window(w)}" for w in getattr(result, "warnings", [])]
            self.summary.setText("\n".join(lines))

    def _stop(self) -> None:
        if self.stop.text() == "Cancel":
            self._cancel.set()
        else:
            self.close()


def _row(widgets: list[QWidget]) -> QWidget:
    return _box(QHBoxLayout, widgets)


def _column(widgets: list[QWidget]) -> QWidget:
    return _box(QVBoxLayout, widgets)


def _box(kind: type[QHBoxLayout] | type[QVBoxLayout], widgets: list[QWidget]) -> QWidget:
    box = QWidget()
    layout = kind(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def _choice(words: dict[str, str], values: tuple[str, ...]) -> QComboBox:
    """A combo box that shows ``words`` and holds the core's value of each as its data."""
    combo = QComboBox()
    for value in values:
        combo.addItem(words.get(value, value), value)
    return combo


def for_the_window(message: str) -> str:
    """A core message as the window says it: a command-line flag becomes the control that
    does the same in this dialog."""
    resume = f"“{RESUME_TEXT}”"
    message = message.replace(
        "run it again with --resume to finish", f"export again with {resume} ticked to finish"
    )
    message = re.sub(r"--resume continues( an export)?", f"tick {resume} to continue", message)
    return message.replace("--resume", resume)
