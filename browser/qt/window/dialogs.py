"""What the window's dialogs are opened with: the Export dialog's selection and the preview's
caption, read from the window's parts at the moment they are asked for."""

from __future__ import annotations

from PySide6.QtWidgets import QTreeView, QWidget

from browser.core.dataset.view import DatasetView
from browser.core.filenames import display
from browser.qt.identity import DatasetKey
from browser.qt.models.grid_model import ImageGridModel
from browser.qt.models.tree_model import SYNSET_ROLE
from browser.qt.review import ReviewController
from browser.qt.widgets.export_dialog import ExportDialog
from browser.qt.widgets.grid_view import ThumbnailGrid
from browser.qt.widgets.metadata import verdict_words


def export_dialog(
    view: DatasetView,
    synset: int,
    grid: ThumbnailGrid,
    model: ImageGridModel,
    tree: QTreeView,
    review: ReviewController,
    parent: QWidget,
) -> ExportDialog:
    """The Export dialog for ``synset``, for the synsets selected in the tree (Ctrl+click),
    or for the images selected in the grid."""
    images = []
    if grid.selected_count() > 1:
        images = [
            view.index.relpath(model.image_row(position))
            for first, last in grid.selected_positions()
            for position in range(first, last + 1)
        ]
    chosen = tree.selectionModel().selectedRows(0)
    synsets = sorted({int(i.data(SYNSET_ROLE)) for i in chosen}) if len(chosen) > 1 else [synset]
    return ExportDialog(view, synsets, images, dict(review.by_relpath), parent)


def preview_caption(
    model: ImageGridModel,
    view: DatasetView | None,
    review: ReviewController,
    dataset: DatasetKey | None,
    position: int,
    *,
    reviewing: bool,
) -> str:
    """What the preview says under the image at ``position``: its label, then its verdict."""
    relpath = model.relpath_at(position)
    if view is None or relpath is None or model.index_ is not view.index:
        return ""
    row = model.image_row(position)
    index = view.index
    if index.is_unlabelled:
        return f"  {display(relpath)} — no label"
    label = view.hierarchy.name(int(index.labels[row]))
    verdict = review.verdict_of(dataset, relpath)
    said = "not reviewed" if verdict is None else verdict_words(verdict.verdict)
    if verdict is not None and verdict.note:
        said += " · note: " + display(verdict.note.splitlines()[0])[:80]
    keys = "   (1–5, 0: verdict · N note · Ctrl+Z undo)" if reviewing else ""
    return f"  Label: {label}    Verdict: {said}{keys}"
