"""ExportDialog: export the selected synset (or the images selected in the grid).

The dry-run summary is recomputed as the options change; planning and exporting run on a
worker thread (a plan over a million images takes seconds), with progress and Cancel. An
interrupted export is continued by exporting again into the same folder with "Resume".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from browser.core.browse import DatasetView
from browser.core.export import (
    LABELS,
    MODES,
    NAME_STYLES,
    ExportError,
    ExportOptions,
    ExportPlan,
    plan_export,
    run_export,
)
from browser.core.verdicts import Verdict
from browser.qt.background import CallableTask, WorkerDialog


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
        hierarchy = self.view.hierarchy
        names = ", ".join(f"{hierarchy.name(s)} ({hierarchy.wnid(s)})" for s in self.synsets)
        what = (
            f"{len(self.images):,} images selected in the grid"
            if self.images
            else f"{names}, each with everything below it"
        )
        self.mode = QComboBox()
        self.mode.addItems(MODES)
        self.labels = QComboBox()
        self.labels.addItems(LABELS)
        self.labels.setToolTip("selected: each selected synset becomes one class")
        self.names = QComboBox()
        self.names.addItems(NAME_STYLES)
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
        self.resume = QCheckBox("Resume an interrupted export in this folder")
        form = QFormLayout()
        form.addRow("Export", QLabel(what))
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

    def options(self) -> ExportOptions:
        hierarchy = self.view.hierarchy
        return ExportOptions(
            () if self.images else tuple(hierarchy.wnid(s) for s in self.synsets),
            self.mode.currentText(),
            self.labels.currentText(),
            tuple(name for name, box in self.splits.items() if box.isChecked()),
            self.per_class.value() or None,
            self.seed.value(),
            tuple(name for name, box in self.exclusions.items() if box.isChecked()),
            self.names.currentText(),
            images=tuple(self.images),
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
            self.summary.setText(plan)
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
            self.summary.setText(f"Stopped: {result}")
            self._update_start()
        else:
            modes = ", ".join(f"{n:,} by {mode}" for mode, n in sorted(result.items()))
            self.summary.setText(
                f"Done: {modes}. The manifest is manifest.csv in {self.out.text()}."
            )

    def _stop(self) -> None:
        if self.stop.text() == "Cancel":
            self._cancel.set()
        else:
            self.close()


def _row(widgets: list[QWidget]) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return row
