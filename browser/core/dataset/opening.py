"""Open a dataset: reuse its stored index, or scan it, refresh it, and store the result."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

from browser.core.dataset import columnstore, store
from browser.core.dataset.hierarchychoice import (
    FOLDERS,
    WORDNET,
    choose_hierarchy,
    label_by_folders,
)
from browser.core.dataset.index import DatasetIndex, MappedColumns
from browser.core.dataset.labelfiles import LabelFile, read_named
from browser.core.dataset.labelling import LabelSource, apply_label_files
from browser.core.dataset.layouts import LAYOUT_CHOICES, LAYOUT_FOLDERS, Skipped, satisfies
from browser.core.dataset.reallabels import load_real_labels
from browser.core.dataset.scanner import CancelCheck, FolderRecord, ProgressCallback, scan
from browser.core.dataset.storedfolders import StoredFolders
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
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.stem}.unreadable-{stamp}{path.suffix}")
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
    legacy = store.index_file(cache_dir, real, chosen.store_variant)
    path = columnstore.columns_dir(cache_dir, real, chosen.store_variant)
    notes: list[str] = [f"{hierarchy_choice}: {p}" for p in chosen.problems[:20]]
    if len(chosen.problems) > 20:
        notes.append(f"{hierarchy_choice}: {len(chosen.problems) - 20} more problems")
    previous = None
    save_to: Path | None = path
    stored: columnstore.StoredColumns | None = None
    try:
        if path.exists():
            stored = columnstore.load(path, hierarchy)
        elif legacy.exists():
            stored = _convert_legacy(legacy, path, real, hierarchy, notes)
    except store.NewerIndexError as exc:
        notes.append(f"{exc}; it was left as it is and this session's index is not saved")
        save_to = None
    except store.IndexStoreError as exc:
        unusable = path if path.exists() else legacy
        try:
            aside = _set_aside(unusable)
        except OSError as failure:
            notes.append(f"{exc}; {store.unsaved_notice(unusable, failure)}")
            save_to = None
        else:
            notes.append(f"{exc}; moved it to {aside} and scanned again")
    generation = ""
    if stored is not None:
        folders = _path_order(stored.folders)
        index = _labelled_index(
            real, hierarchy, stored.layout, folders, stored.problems, label_files, stored
        )
        if stored.layout == layout or satisfies(stored.layout, layout):
            if not os.access(path, os.W_OK):
                notes.append(store.unsaved_notice(path, PermissionError(13, "it is read-only")))
                save_to = None
            _remember_store(index, stored.generation, stored.folders)
            if not refresh:
                return _opened(index, save_to, notes, scanned=False)
            previous = index.records_by_path()
        else:
            notes.append(f"read again as layout {layout!r} (the index had {stored.layout!r})")
    result = scan(
        real,
        hierarchy,
        previous=previous,
        progress=progress,
        cancelled=cancelled,
        layout_choice=layout,
    )
    opened: DatasetIndex | None = None
    if save_to is not None:
        try:
            generation = columnstore.save(
                save_to,
                root=real,
                layout=result.layout,
                hierarchy=hierarchy,
                folders=result.folders,
                problems=result.problems,
            )
        except OSError as exc:
            notes.append(store.unsaved_notice(save_to, exc))
            save_to = None
        else:
            # Map what was just written rather than build the same columns again in memory.
            opened = _reopened(real, hierarchy, save_to, generation, label_files)
    if opened is not None:
        index = opened
    else:
        index = _labelled_index(
            real, hierarchy, result.layout, result.folders, result.problems, label_files
        )
        if save_to is not None:
            _remember_store(index, generation, columnstore.stored_order(result.folders))
    for note in notes:
        # The caller shows ``notes`` (the CLI on stderr, the window in its panel): logging
        # them as warnings too would say everything twice.
        log.info("%s", note)
    return _opened(index, save_to, notes, scanned=True)


def _reopened(
    root: str, hierarchy: Hierarchy, path: Path, generation: str, label_files: Sequence[str]
) -> DatasetIndex | None:
    """The index just written, mapped; None if another writer replaced it meanwhile."""
    try:
        stored = columnstore.load(path, hierarchy)
    except store.IndexStoreError:
        return None
    if stored.generation != generation:
        return None
    index = _labelled_index(
        root,
        hierarchy,
        stored.layout,
        _path_order(stored.folders),
        stored.problems,
        label_files,
        stored,
    )
    _remember_store(index, generation, stored.folders)
    return index


def _path_order(folders: StoredFolders) -> Sequence[FolderRecord]:
    """The stored folders in path order, as the scanner lists them: the stored sequence
    itself (no record made) when stored order is path order, as it is unless labelled and
    unlabelled folders interleave."""
    if folders.is_path_sorted():
        return folders
    return sorted(folders, key=lambda r: r.relpath)


def _convert_legacy(
    legacy: Path, path: Path, root: str, hierarchy: Hierarchy, notes: list[str]
) -> columnstore.StoredColumns:
    """Rebuild an index kept in the SQLite format (browser.core.dataset.store) as columns, then
    remove the SQLite file; an unusable or newer one raises as store.load does."""
    _, layout, folders, problems = store.load(legacy, hierarchy)
    try:
        columnstore.save(
            path, root=root, layout=layout, hierarchy=hierarchy, folders=folders, problems=problems
        )
    except OSError as exc:
        raise store.IndexStoreError(f"{legacy} cannot be converted: {exc}") from exc
    stored = columnstore.load(path, hierarchy)
    legacy.unlink(missing_ok=True)
    notes.append(f"the index in {legacy} was rebuilt in the column format in {path}")
    return stored


def _remember_store(
    index: DatasetIndex, generation: str, stored_folders: Sequence[FolderRecord]
) -> None:
    index.store_generation = generation
    index.stored_folders = stored_folders


def _labelled_index(
    root: str,
    hierarchy: Hierarchy,
    layout: str,
    folders: Sequence[FolderRecord],
    problems: list[Skipped],
    label_files: Sequence[str] = (),
    stored: columnstore.StoredColumns | None = None,
) -> DatasetIndex:
    """The index, with labels from label files applied to folders that need them (or,
    with the folder tree as the hierarchy, every folder labelled by its path). From a
    ``stored`` index whose labelled folders are still the same, the columns are mapped."""
    if layout == LAYOUT_FOLDERS:
        hierarchy, labelled = label_by_folders(root, list(folders))
        return DatasetIndex(root, hierarchy, layout, labelled, problems)
    named: list[LabelFile] = read_named(label_files, root, hierarchy)
    sources: list[LabelSource] = []
    if named or not isinstance(folders, StoredFolders) or folders.unlabelled_images():
        folders, sources = apply_label_files(root, list(folders), hierarchy, named)
    # else: no folder needs a label file, and none is made into a record to find that out
    columns = None if stored is None else _mapped(stored, folders)
    index = DatasetIndex(root, hierarchy, layout, folders, problems, columns)
    if columns is not None and stored is not None:
        index.size_summary = stored.size_summary  # describes exactly these rows' sizes
    index.label_sources = sources
    real = [p for p in label_files if p.lower().endswith(".json")]
    index.real = load_real_labels(index, real[0] if real else None)
    return index


def _mapped(
    stored: columnstore.StoredColumns, folders: Sequence[FolderRecord]
) -> MappedColumns | None:
    """The stored columns cut to the labelled folders, if those are exactly the stored
    prefix (no label file split a folder, no folder changed its mapping); else None."""
    prefix: Sequence[FolderRecord]
    if folders is stored.folders and stored.folders.as_stored():
        prefix = stored.folders.prefix(stored.labelled_folders)  # no record made
    else:
        labelled = [f for f in folders if f.label >= 0 or f.image_labels is not None]
        prefix = stored.folders[: stored.labelled_folders]
        if len(labelled) != len(prefix) or any(
            a is not b for a, b in zip(labelled, prefix, strict=True)
        ):
            return None
    rows, columns = stored.labelled_rows, stored.columns
    offsets = columns.get("offsets")
    return MappedColumns(
        labels=columns["labels"][:rows],
        split_ids=columns["splits"][:rows],
        folder_ids=columns["folder_ids"][:rows],
        names=columns["names"],
        name_start=columns["name_start"][: rows + 1],
        sizes=columns["sizes"][:rows],
        mtimes=columns["mtimes"][:rows],
        offsets=None if offsets is None else offsets[:rows],
        splits=stored.splits,
        folders=prefix,
        maps=stored.maps,
    )


def _opened(
    index: DatasetIndex, path: Path | None, notes: list[str], *, scanned: bool
) -> DatasetIndex:
    index.store_path = path
    index.notes = notes
    index.scanned = scanned
    return index
