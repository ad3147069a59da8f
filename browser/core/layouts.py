"""Recognise a dataset's layout: which folders are classes, which are splits, what is left over.

Supported here: class folders named by wnid (images at any depth below them), either directly
under the root or under split folders (``train/``, ``val/``, … — the split is the folder name).
Only the root and its immediate sub-folders are listed, which is cheap even for ImageNet-21k.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field

from browser.core.hierarchy import Hierarchy, is_wnid_shaped
from browser.core.ilsvrc import ilsvrc_wnids

IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"})
KNOWN_SPLITS = frozenset({"train", "val", "valid", "validation", "test", "dev", "holdout"})
NO_SPLIT = "all"
LAYOUT_CLASS_FOLDERS = "class-folders"
LAYOUT_SPLIT_CLASS_FOLDERS = "split/class-folders"
LAYOUT_IMAGENET_V2 = "imagenetv2"

UNMAPPED_NOT_WNID = "folder name is not a WordNet id"
UNMAPPED_NOT_SYNSET = "not a WordNet 3.0 noun synset"
UNMAPPED_LOOSE = "images outside any class folder"


def is_image_name(name: str) -> bool:
    return name.rpartition(".")[2].lower() in IMAGE_EXTENSIONS


def join(relpath: str, name: str) -> str:
    return f"{relpath}/{name}" if relpath else name


@dataclass(frozen=True)
class Top:
    """A folder whose whole subtree carries one label (``label`` -1: unmapped, with a reason)."""

    relpath: str
    split: str
    label: int
    reason: str = ""


@dataclass
class Skipped:
    path: str  # relative to the dataset root
    reason: str


@dataclass
class Layout:
    """What discovery found at the top of a dataset."""

    name: str
    tops: list[Top] = field(default_factory=list)
    # Image files lying directly in the root or a split folder: (folder relpath, split, names).
    loose: list[tuple[str, str, list[str]]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _list(path: str, relpath: str, skipped: list[Skipped]) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError as exc:
        skipped.append(Skipped(relpath or ".", reason_for(exc)))
        return []


def reason_for(exc: OSError) -> str:
    """A short, user-facing reason for a failed file-system call."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished during scan"
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    return exc.strerror or type(exc).__name__


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _class_top(relpath: str, name: str, split: str, hierarchy: Hierarchy) -> Top:
    if not is_wnid_shaped(name):
        return Top(relpath, split, -1, UNMAPPED_NOT_WNID)
    node = hierarchy.find(name)
    if node is None:
        return Top(relpath, split, -1, UNMAPPED_NOT_SYNSET)
    return Top(relpath, split, node)


def _sort_files(
    layout: Layout, folder: str, split: str, entries: list[os.DirEntry[str]]
) -> list[os.DirEntry[str]]:
    """Record loose images and other files of a root or split folder; return its folders."""
    folders, loose = [], []
    for entry in entries:
        if _is_dir(entry):
            folders.append(entry)
        elif is_image_name(entry.name):
            loose.append(entry.name)
        else:
            layout.skipped.append(Skipped(join(folder, entry.name), "not an image file"))
    if loose:
        layout.loose.append((folder, split, loose))
    return folders


def _is_imagenet_v2(folders: list[os.DirEntry[str]]) -> bool:
    """ImageNetV2: every folder a class index 0–999 written without leading zeros."""
    return len(folders) >= 2 and all(
        e.name.isdigit() and int(e.name) < 1000 and str(int(e.name)) == e.name for e in folders
    )


def discover(root: str, hierarchy: Hierarchy) -> Layout:
    """Look at the top of ``root`` and decide what every folder there is."""
    base = os.path.basename(os.path.normpath(root))
    root_split = base if base.lower() in KNOWN_SPLITS else NO_SPLIT
    layout = Layout(LAYOUT_CLASS_FOLDERS)
    folders = _sort_files(layout, "", root_split, _list(root, "", layout.skipped))
    if hierarchy.find(base) is not None and not any(is_wnid_shaped(e.name) for e in folders):
        # The root is itself a class folder (someone opened train/n01440764).
        layout.loose.clear()
        layout.tops.append(Top("", NO_SPLIT, hierarchy.index(base)))
        return layout
    if _is_imagenet_v2(folders):
        layout.name = LAYOUT_IMAGENET_V2
        wnids = ilsvrc_wnids()
        for entry in folders:
            # Folder "100" is class 100 in sorted-wnid order, not the 100th name as strings sort.
            layout.tops.append(
                _class_top(entry.name, wnids[int(entry.name)], root_split, hierarchy)
            )
        return layout
    for entry in folders:
        if is_wnid_shaped(entry.name):
            layout.tops.append(_class_top(entry.name, entry.name, root_split, hierarchy))
            continue
        inner = _list(entry.path, entry.name, layout.skipped)
        if not any(is_wnid_shaped(e.name) and _is_dir(e) for e in inner):
            layout.tops.append(Top(entry.name, root_split, -1, UNMAPPED_NOT_WNID))
            continue
        layout.name = LAYOUT_SPLIT_CLASS_FOLDERS
        split = entry.name
        for sub in _sort_files(layout, entry.name, split, inner):
            relpath = join(entry.name, sub.name)
            layout.tops.append(_class_top(relpath, sub.name, split, hierarchy))
    return layout
