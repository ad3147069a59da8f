"""Give the images of flat folders their labels from label files.

A listed folder with no synset of its own (ILSVRC ``val/`` as shipped, Tiny ImageNet's
``val/images``) is looked at for a label file (see :mod:`browser.core.dataset.labelfiles`). When one
names at least one of its images, the folder's record is replaced by two: the labelled images,
each with its own synset, and the rest, reported as unlabelled. Records are split here, after
loading or scanning, and never stored split: the stored index keeps one record per folder,
so a changed label file takes effect on the next open.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from browser.core.dataset.labelfiles import LabelFile, find_label_file, stem
from browser.core.dataset.layouts import KNOWN_SPLITS, NO_SPLIT
from browser.core.dataset.scanner import FolderRecord, decode_names, encode_names
from browser.core.hierarchy.dag import Hierarchy
from browser.core.linefiles import LabelProblem

UNLABELLED = "no label in {file}"


@dataclass
class LabelSource:
    """A label file in use, and what it did to one folder."""

    folder: str  # relpath of the labelled folder
    file: LabelFile
    labelled: int
    unlabelled: int
    problems: list[LabelProblem] = field(default_factory=list)  # the file's, and missing images

    def summary(self) -> str:
        where = self.folder or "the dataset folder"
        text = f"{where}: {self.labelled:,} images labelled by {self.file.kind}"
        if self.unlabelled:
            text += f", {self.unlabelled:,} without a label"
        return text


def _split_name(record: FolderRecord, found: LabelFile) -> str:
    """A folder of images labelled by a validation file is the val split, wherever it lies
    (``ILSVRC2012_img_val/``, the dataset folder itself), unless its own name says more."""
    first = record.top.split("/", 1)[0]
    if record.split == NO_SPLIT and first.lower() in KNOWN_SPLITS:
        return first
    if record.split == NO_SPLIT:
        return found.split
    return record.split


def _split(record: FolderRecord, found: LabelFile) -> tuple[FolderRecord, FolderRecord | None]:
    names = decode_names(record.names)
    nodes = np.fromiter((found.labels.get(stem(n), -1) for n in names), np.int32, len(names))
    chosen = np.flatnonzero(nodes >= 0)
    rest = np.flatnonzero(nodes < 0)
    split = _split_name(record, found)
    labelled = FolderRecord(
        record.relpath,
        record.top,
        -1,
        split,
        record.mtime_ns,
        encode_names([names[i] for i in chosen.tolist()]),
        len(chosen),
        record.subdirs,
        record.skipped,
        image_labels=nodes[chosen],
        listed_as=(record, chosen),
    )
    for attr in ("sizes", "mtimes"):
        known = getattr(record, attr)
        if known is not None and len(known) == record.count:
            setattr(labelled, attr, known[chosen])
    unlabelled = None
    if len(rest):
        unlabelled = FolderRecord(
            record.relpath,
            record.top,
            -1,
            split,
            record.mtime_ns,
            encode_names([names[i] for i in rest.tolist()]),
            len(rest),
            reason=UNLABELLED.format(file=found.path),
            listed_as=(record, rest),
        )
    return labelled, unlabelled


def _missing(found: LabelFile, names: bytes | memoryview, folder: str) -> list[LabelProblem]:
    """Label-file lines naming images the folder does not have."""
    present = {stem(n) for n in decode_names(names)}
    absent = [key for key in found.labels if key not in present]
    problems = [
        LabelProblem(found.path, found.lines[key], f"{key}: no such image in {folder or '.'}")
        for key in absent[:20]
    ]
    if len(absent) > 20:
        problems.append(
            LabelProblem(found.path, 0, f"{len(absent) - 20:,} more lines name missing images")
        )
    return problems


def _named_for(
    record: FolderRecord, named: Sequence[LabelFile]
) -> tuple[LabelFile, tuple[FolderRecord, FolderRecord | None]] | None:
    """The first named label file that labels at least one image of ``record``."""
    for found in named:
        parts = _split(record, found)
        if parts[0].count:
            return found, parts
    return None


def apply_label_files(
    root: str,
    folders: list[FolderRecord],
    hierarchy: Hierarchy,
    named: Sequence[LabelFile] = (),
) -> tuple[list[FolderRecord], list[LabelSource]]:
    """Folders with label-file labels applied, and the label files used. Files the user
    ``named`` come first; the others are looked for in the dataset folder (labelfiles)."""
    out: list[FolderRecord] = []
    sources: list[LabelSource] = []
    used: set[str] = set()
    for record in folders:
        if record.label >= 0 or record.count == 0:
            out.append(record)
            continue
        chosen = _named_for(record, named)
        if chosen is not None:
            found, (labelled, unlabelled) = chosen
            used.add(found.path)
        else:
            folder = os.path.join(root, record.relpath) if record.relpath else root
            searched = find_label_file(folder, hierarchy, root)
            if searched is None:
                out.append(record)
                continue
            found = searched
            labelled, unlabelled = _split(record, found)
        if labelled.count == 0:
            out.append(record)  # the file is about other images
            if found.problems:  # but say why a file that was found labelled nothing
                sources.append(LabelSource(record.relpath, found, 0, record.count, found.problems))
            continue
        out.append(labelled)
        if unlabelled is not None:
            out.append(unlabelled)
        problems = list(found.problems)
        if found.more_problems:
            problems.append(
                LabelProblem(found.path, 0, f"{found.more_problems:,} more lines with problems")
            )
        problems += _missing(found, record.names, record.relpath)
        sources.append(
            LabelSource(
                record.relpath,
                found,
                labelled.count,
                unlabelled.count if unlabelled else 0,
                problems,
            )
        )
    for found in named:
        if found.path not in used:  # say why a file the user named did nothing
            reason = "labels none of the dataset's images that have no class folder"
            problems = [*found.problems, LabelProblem(found.path, 0, reason)]
            sources.append(LabelSource(".", found, 0, 0, problems))
    return out, sources
