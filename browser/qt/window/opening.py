"""Opening a dataset in the window: how it was asked to be read, asking for it (and for a
refresh) off the GUI thread, what the window shows when an open fails or is cancelled, and
where to land once it is open."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from browser.core.dataset.hierarchychoice import WORDNET
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.qt.widgets.welcome import WelcomePage
from browser.qt.window.status import StatusArea
from browser.qt.workers import DatasetTasks


@dataclass
class OpenRequest:
    """How the open dataset was asked to be read (Refresh reads it the same way again), and
    the synset to show once it is open (None: the root)."""

    layout: str = "auto"
    hierarchy: str = WORDNET
    select: int | None = None


def ask_for_folder(parent: QWidget, layout: str) -> str:
    """A folder the user picks ("" if none)."""
    title = "Open dataset folder" if layout == "auto" else f"Open dataset folder as {layout}"
    return QFileDialog.getExistingDirectory(parent, title)


class DatasetOpener:
    """Asks the dataset tasks to open (or refresh) a dataset, remembering how in
    :attr:`request`; the window shows the result when the tasks report it opened."""

    def __init__(
        self,
        tasks: DatasetTasks,
        welcome: WelcomePage,
        status: StatusArea,
        window: QMainWindow,
        demo: Callable[[], str] | None,
    ) -> None:
        self.tasks, self.welcome, self.status = tasks, welcome, status
        self.window = window
        self.demo = demo  # makes the demo dataset (once) and returns its folder
        self.request = OpenRequest()  # how the open (or opening) dataset was asked for

    def choose(self, layout: str = "auto", hierarchy: str = WORDNET) -> None:
        folder = ask_for_folder(self.window, layout)
        if folder:
            self.open(folder, layout=layout, hierarchy=hierarchy)

    def open_demo(self) -> None:
        if self.demo is not None:
            self.open(self.demo())

    def open(
        self,
        path: str,
        *,
        select: int | None = None,
        layout: str = "auto",
        hierarchy: str = WORDNET,
    ) -> None:
        """Open (scanning if needed) off the GUI thread; the window stays usable."""
        self.request = OpenRequest(layout, hierarchy, select)
        self.status.path_label.setText(f"Opening {path}…")
        self.welcome.begin_scan(path)
        self.status.show_progress("Scanning", 0, 0)
        self.tasks.open(path, layout=layout, hierarchy=hierarchy)

    def refresh(self, view: DatasetView | None, synset: int | None) -> None:
        """Read ``view``'s folder again as it was asked for, landing on ``synset``."""
        if view is not None:
            self.request.select = synset
            self.status.show_progress("Refreshing", 0, 0)
            request = self.request
            self.tasks.open(
                view.index.root,
                refresh=True,
                layout=request.layout,
                hierarchy=request.hierarchy,
            )

    def failed(self, message: str) -> None:
        self.status.failed()
        self.welcome.end_scan()
        QMessageBox.warning(self.window, "Cannot open dataset", message)

    def cancelled(self) -> None:
        self.status.hide_progress()
        self.welcome.end_scan()
        self.window.statusBar().showMessage("Scan cancelled", 5000)


def landing_synset(view: DatasetView, wanted: int | None, asked_in: Hierarchy) -> int:
    """The synset to show first: ``wanted`` (a node of ``asked_in``), found by its id when
    the dataset came with another hierarchy (ImageNet's files, the folder tree, a taxonomy,
    or the same kind rebuilt by a refresh); the root when it is unknown or has no images."""
    target = wanted
    if target is not None and view.hierarchy is not asked_in:
        target = view.hierarchy.find(asked_in.wnid(target))
    if target is None or view.counts.images[target] == 0:
        return view.hierarchy.root
    return target


def window_title(view: DatasetView) -> str:
    return f"{os.path.basename(view.index.root)} — Synset Browser"


def dataset_caption(view: DatasetView) -> str:
    """The status bar's description of the open dataset."""
    index = view.index
    return f"{index.root}  ·  {len(index):,} images in {len(index.class_nodes):,} classes"
