"""The second pass of a scan: file sizes and mtimes, after classes and counts are known.

A ``stat`` per file costs ~8× a directory listing, so it never delays opening a dataset. The
pass runs folder by folder on a few threads (``os.stat`` releases the GIL, and on a cold
disk or a network share the requests overlap), stores what it found every few seconds, and
can be cancelled and resumed: a folder whose files are all known is not visited again.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from browser.core import store
from browser.core.index import UNKNOWN, UNREADABLE, VANISHED, DatasetIndex
from browser.core.scanner import CancelCheck, ProgressCallback, ScanCancelled, ScanProgress

log = logging.getLogger(__name__)

_SAVE_EVERY_SECONDS = 5.0
_THREADS = 4


def _stat_folder(index: DatasetIndex, folder_id: int) -> None:
    rows = index.folder_rows(folder_id)
    base = os.path.join(index.root, index.image_folders[folder_id].relpath)
    sizes, mtimes = index.sizes, index.mtimes
    for row in rows:
        try:
            st = os.stat(os.path.join(base, index.name(row)))
        except FileNotFoundError:
            sizes[row] = mtimes[row] = VANISHED
        except OSError:
            sizes[row] = mtimes[row] = UNREADABLE
        else:
            sizes[row] = st.st_size
            mtimes[row] = st.st_mtime_ns


def pending_folders(index: DatasetIndex) -> list[int]:
    """Folders with at least one file whose size is not known yet."""
    unknown = index.sizes == UNKNOWN
    if not unknown.any():
        return []
    return np.unique(index.folder_ids[unknown]).tolist()


def fill_file_facts(
    index: DatasetIndex,
    *,
    progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
) -> int:
    """Stat every file whose size is unknown; returns how many were stat'ed.

    Results are written to the index's store as they come, so a cancelled pass resumes where
    it stopped. Cancelling raises ScanCancelled once the finished folders are stored.
    """
    todo = pending_folders(index)
    total = int(sum(len(index.folder_rows(f)) for f in todo))
    done = 0
    unsaved: list[int] = []
    last_save = time.monotonic()

    def save() -> None:
        nonlocal last_save
        if index.store_path is not None and unsaved:
            records = index.records_by_path()
            store.update_file_facts(
                index.store_path, (records[index.image_folders[f].relpath] for f in unsaved)
            )
        unsaved.clear()
        last_save = time.monotonic()

    with ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="stat") as pool:
        futures = [(f, pool.submit(_stat_folder, index, f)) for f in todo]
        try:
            for folder_id, future in futures:
                if cancelled is not None and cancelled():
                    raise ScanCancelled
                future.result()
                done += len(index.folder_rows(folder_id))
                unsaved.append(folder_id)
                if progress is not None:
                    progress(ScanProgress("stat", done, total, len(index)))
                if time.monotonic() - last_save > _SAVE_EVERY_SECONDS:
                    save()
        finally:
            for _, future in futures:
                future.cancel()
            save()
    log.info("stat pass over %s: %d files", index.root, done)
    return done
