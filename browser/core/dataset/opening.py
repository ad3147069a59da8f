"""Open a dataset: reuse its stored index, or scan it, refresh it, and store the result."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from browser.core.dataset import store
from browser.core.dataset.hierarchychoice import (
    FOLDERS,
    WORDNET,
    choose_hierarchy,
    label_by_folders,
)
from browser.core.dataset.index import DatasetIndex
from browser.core.dataset.labelfiles import LabelFile, read_named
from browser.core.dataset.labelling import apply_label_files
from browser.core.dataset.layouts import LAYOUT_CHOICES, LAYOUT_FOLDERS, Skipped, satisfies
from browser.core.dataset.reallabels import load_real_labels
from browser.core.dataset.scanner import CancelCheck, FolderRecord, ProgressCallback, scan
from browser.core.hierarchy.dag import Hierarchy

log = logging.getLogger(__name__)


class DatasetPathError(ValueError):
    """The dataset path does not exist or is not a folder."""


def check_root(root: str | os.PathLike[str]) -> str:
    """The dataset's real path; a missing path or a file raises DatasetPathError."""
    real = os.path.realpath(os.fspath(root))
    if not os.path.exists(real):
        raise DatasetPathError(f"{os.fspath(root)}: no such folder")
    if not os.path.isdir(real):
        raise DatasetPathError(f"{os.fspath(root)}: not a folder")
    return real


def _set_aside(path: Path) -> Path:
    aside = path.with_name(f"{path.stem}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}.sqlite")
    os.replace(path, aside)
    return aside


def open_dataset(
    root: str | os.PathLike[str],
    hierarchy: Hierarchy,
    *,
    cache_dir: Path,
    refresh: bool = False,
    progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
    layout: str = "auto",
    hierarchy_choice: str = WORDNET,
    label_files: Sequence[str] = (),
) -> DatasetIndex:
    """Open the dataset at ``root``.

    The index remembers where it is stored (``store_path``; None when it cannot be, e.g. an
    index written by a newer version is in the way: that file is never overwritten),
    messages for the user (``notes``), and whether the folders were walked (``scanned``).

    An unchanged stored index is reused without walking any folder. ``refresh`` walks the
    dataset again but lists only folders whose mtime changed since the stored index.

    ``hierarchy_choice`` (see browser.core.dataset.hierarchychoice) browses it with another
    hierarchy than ``hierarchy`` (WordNet); the index's ``hierarchy`` is the one used.

    ``label_files`` are label files the user named: read wherever they are, and used before
    any found in the dataset folder (which is the only place searched; see labelfiles).
    """
    if layout not in LAYOUT_CHOICES:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUT_CHOICES)}")
    real = check_root(root)
    chosen = choose_hierarchy(hierarchy_choice, real, hierarchy)
    if chosen.choice == FOLDERS:
        layout = LAYOUT_FOLDERS
    elif chosen.hierarchy is not None:
        hierarchy = chosen.hierarchy
    path = store.index_file(cache_dir, real, chosen.store_variant)
    notes: list[str] = [f"{hierarchy_choice}: {p}" for p in chosen.problems[:20]]
    if len(chosen.problems) > 20:
        notes.append(f"{hierarchy_choice}: {len(chosen.problems) - 20} more problems")
    previous = None
    save_to: Path | None = path
    if path.exists():
        try:
            _, stored_layout, folders, problems = store.load(path, hierarchy)
        except store.NewerIndexError as exc:
            notes.append(f"{exc}; it was left as it is and this session's index is not saved")
            save_to = None
        except store.IndexStoreError as exc:
            try:
                aside = _set_aside(path)
            except OSError as failure:
                notes.append(f"{exc}; {store.unsaved_notice(path, failure)}")
                save_to = None
            else:
                notes.append(f"{exc}; moved it to {aside} and scanned again")
        else:
            index = _labelled_index(real, hierarchy, stored_layout, folders, problems, label_files)
            if stored_layout == layout or satisfies(stored_layout, layout):
                if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
                    notes.append(store.unsaved_notice(path, PermissionError(13, "it is read-only")))
                    save_to = None
                if not refresh:
                    return _opened(index, save_to, notes, scanned=False)
                previous = index.records_by_path()
            else:
                notes.append(f"read again as layout {layout!r} (the index had {stored_layout!r})")
    result = scan(
        real,
        hierarchy,
        previous=previous,
        progress=progress,
        cancelled=cancelled,
        layout_choice=layout,
    )
    index = _labelled_index(
        real, hierarchy, result.layout, result.folders, result.problems, label_files
    )
    if save_to is not None:
        try:
            store.save(
                save_to,
                root=real,
                layout=result.layout,
                hierarchy=hierarchy,
                folders=result.folders,
                problems=result.problems,
            )
        except (OSError, sqlite3.Error) as exc:
            notes.append(store.unsaved_notice(save_to, exc))
            save_to = None
    for note in notes:
        # The caller shows ``notes`` (the CLI on stderr, the window in its panel): logging
        # them as warnings too would say everything twice.
        log.info("%s", note)
    return _opened(index, save_to, notes, scanned=True)


def _labelled_index(
    root: str,
    hierarchy: Hierarchy,
    layout: str,
    folders: list[FolderRecord],
    problems: list[Skipped],
    label_files: Sequence[str] = (),
) -> DatasetIndex:
    """The index, with labels from label files applied to folders that need them (or,
    with the folder tree as the hierarchy, every folder labelled by its path)."""
    if layout == LAYOUT_FOLDERS:
        hierarchy, folders = label_by_folders(root, folders)
        return DatasetIndex(root, hierarchy, layout, folders, problems)
    named: list[LabelFile] = read_named(label_files, root, hierarchy)
    folders, sources = apply_label_files(root, folders, hierarchy, named)
    index = DatasetIndex(root, hierarchy, layout, folders, problems)
    index.label_sources = sources
    real = [p for p in label_files if p.lower().endswith(".json")]
    index.real = load_real_labels(index, real[0] if real else None)
    return index


def _opened(
    index: DatasetIndex, path: Path | None, notes: list[str], *, scanned: bool
) -> DatasetIndex:
    index.store_path = path
    index.notes = notes
    index.scanned = scanned
    return index
