"""Labels that come from a file rather than from folder names.

ImageNet's validation images lie in one flat folder; their classes are in a separate file:
Kaggle's ``LOC_val_solution.csv``, the devkit's ``ILSVRC2012_validation_ground_truth.txt``
(devkit class IDs, turned into wnids by ``map_clsloc.txt``), or Tiny ImageNet's
``val/val_annotations.txt``. Each reader returns a :class:`LabelFile`: file name → synset, and
every line it could not use, with its reason. A bad line never stops the rest.

Label files are looked for in the labelled folder and its parents up to the dataset folder
the user opened, never above it (Kaggle keeps them in its top folder, above
``ILSVRC/Data/CLS-LOC/val``: open that top folder). A label file that is a link to outside
the dataset is refused and reported, unread. Names in a label file only ever select images of
that folder: an entry with a path separator or ``..`` is reported, never followed. Files are
read BOM-tolerant (Excel writes one), line by line: one bad line never hides the others.
"""

from __future__ import annotations

import csv
import os
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from browser.core.dataset.links import is_within
from browser.core.dataset.matfile import MatFileError, devkit_ids
from browser.core.hierarchy.dag import Hierarchy
from browser.core.linefiles import LabelProblem, csv_row, numbered_lines

KAGGLE_SOLUTION = "LOC_val_solution.csv"
DEVKIT_GROUND_TRUTH = "ILSVRC2012_validation_ground_truth.txt"
DEVKIT_MAP = "map_clsloc.txt"
DEVKIT_META = "meta.mat"
TINY_ANNOTATIONS = "val_annotations.txt"
VAL_SPLIT = "val"  # the split of images a validation label file labels
OUTSIDE_ROOT = "outside the dataset folder (reached through a link); not read"
_PROBLEMS_KEPT = 50  # per file; the count of the rest is reported


@dataclass
class LabelFile:
    """What one label file says about the images of one folder."""

    kind: str  # a short description, e.g. "Kaggle LOC_val_solution.csv"
    path: str
    split: str = VAL_SPLIT  # of the images it labels (every reader here reads a val file)
    labels: dict[str, int] = field(default_factory=dict)  # image stem → synset
    lines: dict[str, int] = field(default_factory=dict)  # image stem → its line in the file
    problems: list[LabelProblem] = field(default_factory=list)
    more_problems: int = 0  # beyond those kept

    def problem(self, line: int, reason: str) -> None:
        if len(self.problems) < _PROBLEMS_KEPT:
            self.problems.append(LabelProblem(self.path, line, reason))
        else:
            self.more_problems += 1


def stem(name: str) -> str:
    """Label files name images without their extension (Kaggle) or with it (Tiny)."""
    return name.rpartition(".")[0] or name


def _safe_image_id(image_id: str) -> bool:
    return bool(image_id) and "/" not in image_id and "\\" not in image_id and ".." not in image_id


def _add(found: LabelFile, line: int, image_id: str, wnid: str, hierarchy: Hierarchy) -> None:
    if not _safe_image_id(image_id):
        found.problem(line, f"image id {image_id!r} is a path, not a file name; ignored")
        return
    node = hierarchy.find(wnid)
    if node is None:
        found.problem(line, f"unknown wnid {wnid!r} (not a WordNet {hierarchy.version} noun)")
        return
    key = stem(image_id) if "." in image_id else image_id
    if key in found.labels:
        found.problem(line, f"duplicate image id {image_id!r}; the first label is kept")
        return
    found.labels[key] = node
    found.lines[key] = line


def read_kaggle_solution(path: str, hierarchy: Hierarchy) -> LabelFile:
    """``ImageId,PredictionString``; the first token of PredictionString is the wnid."""
    found = LabelFile(f"Kaggle {KAGGLE_SOLUTION}", path)
    try:
        for number, line in numbered_lines(path):
            try:
                row = csv_row(line)
            except csv.Error as exc:
                found.problem(number, f"not a CSV line ({exc}); skipped")
                continue
            if number == 1:
                if [h.strip() for h in row[:2]] != ["ImageId", "PredictionString"]:
                    found.problem(1, "expected ImageId,PredictionString as the header")
                    return found
                continue
            if not row or not line.strip():
                continue
            if len(row) < 2 or not row[1].split():
                found.problem(number, "no PredictionString")
                continue
            _add(found, number, row[0].strip(), row[1].split()[0], hierarchy)
    except OSError as exc:
        found.problem(0, f"cannot be read: {exc.strerror or exc}")
    return found


def read_devkit_map(path: str) -> tuple[dict[int, str], list[LabelProblem]]:
    """``map_clsloc.txt``: ``wnid id name`` per line → devkit ID → wnid."""
    ids: dict[int, str] = {}
    problems: list[LabelProblem] = []
    try:
        for number, line in numbered_lines(path):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2 or not parts[1].isdigit():
                problems.append(LabelProblem(path, number, "expected 'wnid id name'"))
                continue
            ids[int(parts[1])] = parts[0]
    except OSError as exc:
        problems.append(LabelProblem(path, 0, f"cannot be read: {exc.strerror or exc}"))
    return ids, problems


def read_devkit_ground_truth(
    path: str, id_to_wnid: dict[int, str], hierarchy: Hierarchy
) -> LabelFile:
    """One devkit class ID per line; line N labels ``ILSVRC2012_val_{N:08d}``.

    Devkit IDs are *not* positions in sorted-wnid order (ID 1 is n02119789, kit fox): they
    only become wnids through the devkit's own map.
    """
    found = LabelFile(f"devkit {DEVKIT_GROUND_TRUTH}", path)
    try:
        for number, line in numbered_lines(path):
            text = line.strip()
            if not text:
                continue
            if not text.isdigit():
                found.problem(number, f"{text!r} is not a class ID")
                continue
            wnid = id_to_wnid.get(int(text))
            if wnid is None:
                found.problem(number, f"class ID {text} is not in {DEVKIT_MAP}")
                continue
            _add(found, number, f"ILSVRC2012_val_{number:08d}", wnid, hierarchy)
    except OSError as exc:
        found.problem(0, f"cannot be read: {exc.strerror or exc}")
    return found


def read_tiny_annotations(path: str, hierarchy: Hierarchy) -> LabelFile:
    """Tiny ImageNet: ``file<TAB>wnid<TAB>box…`` per line."""
    found = LabelFile(f"Tiny ImageNet {TINY_ANNOTATIONS}", path)
    try:
        for number, line in numbered_lines(path):
            parts = line.split("\t")
            if not line.strip():
                continue
            if len(parts) < 2:
                found.problem(number, "expected 'file<TAB>wnid'")
                continue
            _add(found, number, parts[0].strip(), parts[1].strip(), hierarchy)
    except OSError as exc:
        found.problem(0, f"cannot be read: {exc.strerror or exc}")
    return found


# Listings of folders searched for devkits, by (path, inode, mtime, ctime): an ImageNet-21k
# dataset folder has 21,843 entries, and opening it looks for real.json, map_clsloc.txt and
# meta.mat there. A folder whose entries change gets a new mtime, so is listed again; one
# changed in the last seconds is not kept (a coarse clock could give a later change the
# same mtime), as git treats "racy" timestamps.
_DEVKIT_LISTINGS: dict[tuple[str, int, int, int], list[str]] = {}
_LISTINGS_KEPT = 64
_SETTLED_NS = 3_000_000_000


def devkit_folders(folder: str) -> list[str]:
    """The folders in ``folder`` whose name contains "devkit" (any case), sorted; [] for a
    folder that cannot be listed."""
    try:
        info = os.stat(folder)
    except OSError:
        return []
    key = (folder, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
    found = _DEVKIT_LISTINGS.get(key)
    if found is None:
        try:
            with os.scandir(folder) as entries:
                found = sorted(e.path for e in entries if "devkit" in e.name.lower())
        except OSError:
            return []
        if len(_DEVKIT_LISTINGS) >= _LISTINGS_KEPT:
            _DEVKIT_LISTINGS.clear()
        if time.time_ns() - info.st_mtime_ns > _SETTLED_NS:
            _DEVKIT_LISTINGS[key] = found
    return [d for d in found if os.path.isdir(d)]


def find_near(
    folder: str, name: str, root: str | None = None, refused: list[LabelProblem] | None = None
) -> str | None:
    """``name`` in ``folder`` or one of its parents up to ``root`` (default: ``folder`` only),
    never above it; a devkit's ``data/`` in one of them counts. A candidate that is a link to
    outside ``root`` is passed over (and added to ``refused``)."""
    top = os.path.realpath(root if root is not None else folder)
    here = os.path.normpath(folder)
    while True:
        candidates = [os.path.join(here, name)]
        candidates += [os.path.join(d, "data", name) for d in devkit_folders(here)]
        for candidate in candidates:
            if not os.path.isfile(candidate):
                continue
            if not is_within(os.path.realpath(candidate), top):
                if refused is not None:
                    refused.append(LabelProblem(candidate, 0, OUTSIDE_ROOT))
                continue
            return candidate
        parent = os.path.dirname(here)
        if parent == here or not is_within(os.path.realpath(parent), top):
            return None
        here = parent


def find_label_file(folder: str, hierarchy: Hierarchy, root: str) -> LabelFile | None:
    """The label file for a folder of unlabelled images, if one is in it or above it within
    the dataset folder ``root``."""
    refused: list[LabelProblem] = []
    found = _find_label_file(folder, hierarchy, root, refused)
    if found is None and refused:
        found = LabelFile("label file", refused[0].file)
    if found is not None:
        found.problems[:0] = refused
    return found


def _find_label_file(
    folder: str, hierarchy: Hierarchy, root: str, refused: list[LabelProblem]
) -> LabelFile | None:
    parent = os.path.dirname(folder)
    if os.path.basename(folder) == "images" and is_within(os.path.realpath(parent), root):
        tiny = find_near(parent, TINY_ANNOTATIONS, parent, refused)
        if tiny is not None:
            return read_tiny_annotations(tiny, hierarchy)
    kaggle = find_near(folder, KAGGLE_SOLUTION, root, refused)
    if kaggle is not None:
        return read_kaggle_solution(kaggle, hierarchy)
    truth = find_near(folder, DEVKIT_GROUND_TRUTH, root, refused)
    if truth is None:
        return None
    ids, problems = devkit_id_map(os.path.dirname(truth), folder, root=root)
    if ids is None:
        found = LabelFile(f"devkit {DEVKIT_GROUND_TRUTH}", truth)
        found.problem(
            0,
            f"devkit class IDs need {DEVKIT_MAP} (wnid id name) or the devkit's {DEVKIT_META} "
            "to become wnids, and neither was found beside it",
        )
        found.problems += problems
        return found
    found = read_devkit_ground_truth(truth, ids, hierarchy)
    found.problems[:0] = problems
    return found


def devkit_id_map(
    *folders: str, root: str | None = None
) -> tuple[dict[int, str] | None, list[LabelProblem]]:
    """Devkit class ID → wnid, from ``map_clsloc.txt`` or else the devkit's ``meta.mat``
    in or above the first of ``folders`` that has one, within ``root`` (default: in the
    folder itself); None if neither is found."""
    refused: list[LabelProblem] = []
    for folder in folders:
        mapping = find_near(folder, DEVKIT_MAP, root, refused)
        if mapping is not None:
            ids, problems = read_devkit_map(mapping)
            return ids, refused + problems
    for folder in folders:
        meta = find_near(folder, DEVKIT_META, root, refused)
        if meta is not None:
            try:
                return devkit_ids(meta), refused
            except (OSError, MatFileError, zlib.error) as exc:
                return None, [*refused, LabelProblem(meta, 0, f"cannot be read: {exc}")]
    return None, refused


def read_named(paths: Sequence[str], root: str, hierarchy: Hierarchy) -> list[LabelFile]:
    """Label files the user named, read wherever they are (naming a file is consent to read
    it). The kind comes from the name: ``*.csv`` Kaggle, ``*annotations*.txt`` Tiny ImageNet,
    any other ``.txt`` a devkit ground truth, whose class IDs become wnids through a named
    ``map_clsloc.txt`` or ``meta.mat``, or else one found in the dataset folder ``root``."""
    maps = [p for p in paths if os.path.basename(p) in (DEVKIT_MAP, DEVKIT_META)]
    found: list[LabelFile] = []
    for path in paths:
        name = os.path.basename(path).lower()
        if path in maps or name.endswith(".json"):  # ID maps, and ReaL labels (reallabels)
            continue
        if name.endswith(".csv"):
            found.append(read_kaggle_solution(path, hierarchy))
        elif "annotations" in name:
            found.append(read_tiny_annotations(path, hierarchy))
        else:
            found.append(_read_named_ground_truth(path, maps, root, hierarchy))
    return found


def _read_named_ground_truth(
    path: str, maps: list[str], root: str, hierarchy: Hierarchy
) -> LabelFile:
    problems: list[LabelProblem] = []
    ids: dict[int, str] | None = None
    if maps and os.path.basename(maps[0]) == DEVKIT_MAP:
        ids, problems = read_devkit_map(maps[0])
    elif maps:
        try:
            ids = devkit_ids(maps[0])
        except (OSError, MatFileError, zlib.error) as exc:
            problems = [LabelProblem(maps[0], 0, f"cannot be read: {exc}")]
    else:
        ids, problems = devkit_id_map(root, root=root)
    if ids is None:
        found = LabelFile(f"devkit {os.path.basename(path)}", path)
        found.problem(
            0,
            f"devkit class IDs need {DEVKIT_MAP} or {DEVKIT_META}: name one too, or keep it in "
            "the dataset folder",
        )
        found.problems += problems
        return found
    found = read_devkit_ground_truth(path, ids, hierarchy)
    found.kind = f"devkit {os.path.basename(path)}"
    found.problems[:0] = problems
    return found
