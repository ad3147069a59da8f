"""Recognise a dataset's layout: which folders are classes, which are splits, what is left over.

Supported here: class folders named by wnid (images at any depth below them), either directly
under the root or under split folders (``train/``, ``val/``, … — the split is the folder name).
Only the root and its immediate sub-folders are listed, which is cheap even for ImageNet-21k.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field

from browser.core.hierarchy import Hierarchy
from browser.core.ilsvrc import ilsvrc_wnids
from browser.core.tarshards import SHARD_SUFFIX, is_shard_name

IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"})
KNOWN_SPLITS = frozenset({"train", "val", "valid", "validation", "test", "dev", "holdout"})
NO_SPLIT = "all"
LAYOUT_CLASS_FOLDERS = "class-folders"
LAYOUT_SPLIT_CLASS_FOLDERS = "split/class-folders"
LAYOUT_IMAGENET_V2 = "imagenetv2"
LAYOUT_TAR_SHARDS = "wnid-tar-shards"
LAYOUT_FOLDERS = "folders"  # with --hierarchy folders only

# What a user may ask for when the files leave it open (--layout, File › Open with layout):
# "auto" recognises; "wnid-folders" never reads numbered folders as ImageNetV2 classes;
# "imagenetv2" reads every numbered folder as one.
LAYOUT_CHOICES = {
    "auto": "recognise the layout from the files",
    "wnid-folders": "class folders named by WordNet id (under split folders or not)",
    "imagenetv2": "ImageNetV2: folders 0 … 999 are ILSVRC class indices in sorted-wnid order",
}


def satisfies(found: str, requested: str) -> bool:
    """Whether a layout found by discovery is what the user asked for."""
    if requested == "auto":
        return True
    if requested == LAYOUT_IMAGENET_V2:
        return found == LAYOUT_IMAGENET_V2
    return found != LAYOUT_IMAGENET_V2


UNMAPPED_NOT_WNID = "folder name is not a WordNet id"
UNMAPPED_NOT_SYNSET = "not a WordNet 3.0 noun synset"
UNMAPPED_LOOSE = "images outside any class folder"
UNMAPPED_NOT_CLASS_INDEX = "folder name is not a class index 0–999"


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
    shard: bool = False  # a <wnid>.tar whose members are the images


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


def _not_a_class(hierarchy: Hierarchy) -> str:
    if hierarchy.ids is not None:
        return f"not a node of the {hierarchy.source} hierarchy"
    return UNMAPPED_NOT_WNID


def _class_top(relpath: str, name: str, split: str, hierarchy: Hierarchy) -> Top:
    if not hierarchy.is_class_name(name):
        return Top(relpath, split, -1, _not_a_class(hierarchy))
    node = hierarchy.find(name)
    if node is None:
        return Top(relpath, split, -1, UNMAPPED_NOT_SYNSET)
    return Top(relpath, split, node)


def _sort_files(
    layout: Layout,
    folder: str,
    split: str,
    entries: list[os.DirEntry[str]],
    hierarchy: Hierarchy,
) -> list[os.DirEntry[str]]:
    """Record loose images, tar shards and other files of a root or split folder; return
    its folders."""
    folders, loose = [], []
    for entry in entries:
        if _is_dir(entry):
            folders.append(entry)
        elif is_image_name(entry.name):
            loose.append(entry.name)
        elif is_shard_name(entry.name):
            wnid = entry.name[: -len(SHARD_SUFFIX)]
            top = _class_top(join(folder, entry.name), wnid, split, hierarchy)
            layout.tops.append(Top(top.relpath, top.split, top.label, top.reason, shard=True))
            layout.name = LAYOUT_TAR_SHARDS
        else:
            layout.skipped.append(Skipped(join(folder, entry.name), "not an image file"))
    if loose:
        layout.loose.append((folder, split, loose))
    return folders


def _is_class_index(name: str) -> bool:
    return name.isdigit() and int(name) < 1000 and str(int(name)) == name


def _is_imagenet_v2(folders: list[os.DirEntry[str]], requested: str) -> bool:
    """ImageNetV2: every folder a class index 0–999 written without leading zeros."""
    if requested == "wnid-folders":
        return False
    numbered = [e for e in folders if _is_class_index(e.name)]
    if requested == LAYOUT_IMAGENET_V2:
        return bool(numbered)
    return len(folders) >= 2 and len(numbered) == len(folders)


def discover(root: str, hierarchy: Hierarchy, requested: str = "auto") -> Layout:
    """Look at the top of ``root`` and decide what every folder there is (``requested``: a
    key of LAYOUT_CHOICES)."""
    if requested == LAYOUT_FOLDERS:
        # The folder tree is the hierarchy: every folder is walked, and labelled afterwards
        # by its own path (browser.core.dataset).
        return Layout(LAYOUT_FOLDERS, tops=[Top("", NO_SPLIT, -1)])
    base = os.path.basename(os.path.normpath(root))
    root_split = base if base.lower() in KNOWN_SPLITS else NO_SPLIT
    layout = Layout(LAYOUT_CLASS_FOLDERS)
    folders = _sort_files(layout, "", root_split, _list(root, "", layout.skipped), hierarchy)
    if hierarchy.find(base) is not None and not any(
        hierarchy.is_class_name(e.name) for e in folders
    ):
        # The root is itself a class folder (someone opened train/n01440764).
        layout.loose.clear()
        layout.tops.append(Top("", NO_SPLIT, hierarchy.index(base)))
        return layout
    if hierarchy.ids is None and _is_imagenet_v2(folders, requested):
        layout.name = LAYOUT_IMAGENET_V2
        wnids = ilsvrc_wnids()
        for entry in folders:
            if not _is_class_index(entry.name):
                layout.tops.append(Top(entry.name, root_split, -1, UNMAPPED_NOT_CLASS_INDEX))
                continue
            # Folder "100" is class 100 in sorted-wnid order, not the 100th name as strings sort.
            wnid = wnids[int(entry.name)]
            layout.tops.append(_class_top(entry.name, wnid, root_split, hierarchy))
        return layout
    for entry in folders:
        if hierarchy.is_class_name(entry.name):
            layout.tops.append(_class_top(entry.name, entry.name, root_split, hierarchy))
            continue
        inner = _list(entry.path, entry.name, layout.skipped)
        if not any(
            (hierarchy.is_class_name(e.name) and _is_dir(e)) or is_shard_name(e.name) for e in inner
        ):
            layout.tops.append(Top(entry.name, root_split, -1, _not_a_class(hierarchy)))
            continue
        if layout.name != LAYOUT_TAR_SHARDS:
            layout.name = LAYOUT_SPLIT_CLASS_FOLDERS
        split = entry.name
        for sub in _sort_files(layout, entry.name, split, inner, hierarchy):
            relpath = join(entry.name, sub.name)
            layout.tops.append(_class_top(relpath, sub.name, split, hierarchy))
    return layout
