"""Recognise a dataset's layout: which folders are classes, which are splits, what is left over.

Supported here: class folders named by wnid (images at any depth below them), either directly
under the root or under split folders (``train/``, ``val/``, … — the split is the folder name).
Only the root and its immediate sub-folders are listed, which is cheap even for ImageNet-21k.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field

from browser.core.dataset.links import refusal
from browser.core.dataset.tarshards import SHARD_SUFFIX, is_shard_name
from browser.core.hierarchy.dag import Hierarchy
from browser.core.hierarchy.ilsvrc import ilsvrc_wnids

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
SAME_FOLDER = "same folder as {other} (already listed at that path)"

# ImageNetV2 as its archives extract: imagenetv2-matched-frequency-format-val/0 … 999/.
IMAGENET_V2_VARIANT = re.compile(r"imagenetv2-(.+)-format-val")
# Kaggle's ImageNet keeps the images three levels down, next to annotations and lists.
KAGGLE_DATA = "ILSVRC/Data/CLS-LOC"


class LayoutRefused(ValueError):
    """A layout the user asked for does not fit the files; the message says why."""


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
    via_link: bool = False  # below a split folder that is a directory link


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


def _v2_variant(name: str) -> str | None:
    match = IMAGENET_V2_VARIANT.fullmatch(name)
    return match.group(1) if match else None


def _imagenet_v2_tops(
    layout: Layout, folder: str, split: str, folders: list[os.DirEntry[str]], hierarchy: Hierarchy
) -> None:
    """Folder "100" is class 100 in sorted-wnid order, not the 100th name as strings sort."""
    wnids = ilsvrc_wnids()
    for entry in folders:
        relpath = join(folder, entry.name)
        if not _is_class_index(entry.name):
            layout.tops.append(Top(relpath, split, -1, UNMAPPED_NOT_CLASS_INDEX))
            continue
        layout.tops.append(_class_top(relpath, wnids[int(entry.name)], split, hierarchy))


def _refused_links(
    root: str, folder: str, folders: list[os.DirEntry[str]], layout: Layout
) -> list[os.DirEntry[str]]:
    """``folders`` without the directory links the link policy refuses (reported)."""
    kept = []
    for entry in folders:
        reason = refusal(root, entry.path, via_link=False) if entry.is_symlink() else None
        if reason is None:
            kept.append(entry)
        else:
            layout.skipped.append(Skipped(join(folder, entry.name), reason))
    return kept


def discover(root: str, hierarchy: Hierarchy, requested: str = "auto") -> Layout:
    """Look at the top of ``root`` and decide what every folder there is (``requested``: a
    key of LAYOUT_CHOICES). A requested layout that does not fit raises LayoutRefused."""
    if requested == LAYOUT_FOLDERS:
        # The folder tree is the hierarchy: every folder is walked, and labelled afterwards
        # by its own path (browser.core.dataset.opening).
        return Layout(LAYOUT_FOLDERS, tops=[Top("", NO_SPLIT, -1)])
    if requested == LAYOUT_IMAGENET_V2 and hierarchy.ids is not None:
        raise LayoutRefused(
            f"layout {LAYOUT_IMAGENET_V2!r} reads folders as ILSVRC class indices, which are "
            f"WordNet ids; it cannot be used with the {hierarchy.source} hierarchy"
        )
    base = os.path.basename(os.path.normpath(root))
    # Kaggle's top folder: only its image folder is read (its label files sit in the top).
    top = KAGGLE_DATA if os.path.isdir(os.path.join(root, KAGGLE_DATA)) else ""
    variant = _v2_variant(base)
    root_split = variant or (base if base.lower() in KNOWN_SPLITS else NO_SPLIT)
    layout = Layout(LAYOUT_CLASS_FOLDERS)
    top_path = os.path.join(root, top) if top else root
    listed = _list(top_path, top, layout.skipped)
    folders = _sort_files(layout, top, root_split, listed, hierarchy)
    folders = _refused_links(root, top, folders, layout)
    variants = [e for e in folders if _v2_variant(e.name)] if hierarchy.ids is None else []
    if requested == "wnid-folders":
        variants = []
    if (
        requested != LAYOUT_IMAGENET_V2
        and not top
        and hierarchy.find(base) is not None
        and not any(hierarchy.is_class_name(e.name) for e in folders)
    ):
        # The root is itself a class folder (someone opened train/n01440764).
        layout.loose.clear()
        layout.tops.append(Top("", NO_SPLIT, hierarchy.index(base)))
        return layout
    if variants:
        # ImageNetV2 as extracted: each imagenetv2-<variant>-format-val/ is a split.
        layout.name = LAYOUT_IMAGENET_V2
        for entry in folders:
            relpath = join(top, entry.name)
            name = _v2_variant(entry.name)
            if name is None:
                layout.tops.append(Top(relpath, root_split, -1, UNMAPPED_NOT_CLASS_INDEX))
                continue
            inner = _list(entry.path, relpath, layout.skipped)
            inner_folders = _sort_files(layout, relpath, name, inner, hierarchy)
            _imagenet_v2_tops(layout, relpath, name, inner_folders, hierarchy)
        return layout
    if hierarchy.ids is None and _is_imagenet_v2(folders, requested):
        layout.name = LAYOUT_IMAGENET_V2
        _imagenet_v2_tops(layout, top, root_split, folders, hierarchy)
        return layout
    if requested == LAYOUT_IMAGENET_V2:
        raise LayoutRefused(
            f"{root}: layout {LAYOUT_IMAGENET_V2!r} needs folders 0 … 999, or "
            "imagenetv2-*-format-val/ folders holding them, and there are none"
        )
    for entry in folders:
        relpath = join(top, entry.name)
        if hierarchy.is_class_name(entry.name):
            layout.tops.append(_class_top(relpath, entry.name, root_split, hierarchy))
            continue
        inner = _list(entry.path, relpath, layout.skipped)
        if not any(
            (hierarchy.is_class_name(e.name) and _is_dir(e)) or is_shard_name(e.name) for e in inner
        ):
            # A folder named like a split is that split, even with no class folders in it
            # (a flat val/ labelled by a file).
            split = entry.name if entry.name.lower() in KNOWN_SPLITS else root_split
            layout.tops.append(Top(relpath, split, -1, _not_a_class(hierarchy)))
            continue
        if layout.name != LAYOUT_TAR_SHARDS:
            layout.name = LAYOUT_SPLIT_CLASS_FOLDERS
        linked = entry.is_symlink()
        for sub in _sort_files(layout, relpath, entry.name, inner, hierarchy):
            top_of = _class_top(join(relpath, sub.name), sub.name, entry.name, hierarchy)
            layout.tops.append(
                Top(top_of.relpath, top_of.split, top_of.label, top_of.reason, via_link=linked)
            )
    return layout
