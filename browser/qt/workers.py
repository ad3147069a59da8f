"""Background work that is not thumbnails: opening (scanning) a dataset and the stat pass.

Both run on a private QThreadPool and report through a QObject living in the GUI thread.
A threading.Event cancels them; the core checks it between folders.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.opening import open_dataset
from browser.core.dataset.scanner import ScanCancelled
from browser.core.dataset.statpass import fill_file_facts, pending_folders
from browser.core.dataset.view import DatasetView
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.search import SynsetSearch
from browser.qt.background import CallableTask, serial_pool

log = logging.getLogger(__name__)


class DatasetTasks(QObject):
    """Opens datasets and fills file facts off the GUI thread.

    Signals:
        progress(object): a ScanProgress.
        opened(object): a DatasetView, ready to show.
        failed(str): opening failed; the message is for the user.
        cancelled(): the user cancelled the scan.
        factsFilled(): the stat pass finished (sizes are known for sorting and the panel).
        searchWarmed(): the search indexes are built.
    """

    progress = Signal(object)
    opened = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    factsFilled = Signal()
    searchWarmed = Signal()

    def __init__(self, hierarchy: Hierarchy, cache_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.hierarchy = hierarchy
        self.cache_dir = cache_dir
        self.pool = serial_pool(self)  # one dataset job at a time, in order
        self._cancel = threading.Event()

    def open(
        self, root: str, *, refresh: bool = False, layout: str = "auto", hierarchy: str = "wordnet"
    ) -> None:
        self.cancel()
        self._cancel = threading.Event()
        # The job keeps this open's own cancel flag: a later open replaces self._cancel.
        job = partial(self._open, root, refresh, (layout, hierarchy), self._cancel)
        self.pool.start(CallableTask(job))

    def fill_facts(self, index: DatasetIndex) -> None:
        if pending_folders(index):
            self.pool.start(CallableTask(partial(self._facts, index, self._cancel)))

    def warm_search(self, search: SynsetSearch) -> None:
        """Build the search indexes off the GUI thread (after the dataset's own jobs)."""

        def warm() -> None:
            search.warm()
            self.searchWarmed.emit()

        self.pool.start(CallableTask(warm))

    def cancel(self) -> None:
        self._cancel.set()

    def shutdown(self) -> None:
        self.cancel()
        self.pool.clear()
        self.pool.waitForDone()

    def _open(
        self, root: str, refresh: bool, choices: tuple[str, str], cancel: threading.Event
    ) -> None:
        layout, hierarchy = choices
        try:
            index = open_dataset(
                root,
                self.hierarchy,
                cache_dir=self.cache_dir,
                refresh=refresh,
                progress=self.progress.emit,
                cancelled=cancel.is_set,
                layout=layout,
                hierarchy_choice=hierarchy,
            )
            view = DatasetView(index)
        except ScanCancelled:
            self.cancelled.emit()
            return
        except Exception as exc:  # reported to the user; the window keeps going
            log.exception("cannot open %s", root)
            self.failed.emit(f"Cannot open {root}: {exc}")
            return
        if cancel.is_set():
            # Cancelled, or replaced by a later open (or refresh) while it was finishing:
            # the user asked for that dataset, and showing this one now would be stale.
            if cancel is self._cancel:
                self.cancelled.emit()
            return
        self.opened.emit(view)

    def _facts(self, index: DatasetIndex, cancel: threading.Event) -> None:
        try:
            fill_file_facts(index, progress=self.progress.emit, cancelled=cancel.is_set)
        except ScanCancelled:
            return
        except Exception:
            log.exception("the stat pass over %s failed", index.root)
            return
        self.factsFilled.emit()
