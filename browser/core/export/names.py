"""Names in an exported tree: safe, short enough, and distinct on the drives exports go to.

Exports are often written to exFAT or NTFS drives, which compare names without case (and
macOS ones without Unicode normalization): ``x.JPEG`` and ``X.jpeg`` are one file there. So
names in one folder must differ after case folding, not only as strings, or one image would
silently take another's place. Every name also fits the 255-byte limit of common file
systems (ext4, XFS, Btrfs; exFAT and NTFS count 255 UTF-16 units, which 255 UTF-8 bytes never
exceed), and keeps the bytes of a non-UTF-8 source name.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence

MAX_NAME_BYTES = 255
_MAX_EXTENSION_BYTES = 32  # a longer "extension" is part of the name, not a type
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*]')
_PLAIN = re.compile(r"[A-Za-z0-9_+-]([A-Za-z0-9_.+-]*[A-Za-z0-9_+-])?")  # safe as it is
# Windows refuses these as a name's stem, whatever the extension (con.JPEG).
_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)]
)


def safe_name(name: str) -> str:
    """A file or folder name with no separators, control or reserved characters, no leading
    dot (that would climb with ``..`` or hide it), no trailing dot or space (Windows drops
    them, so ``x.`` would be ``x``) and no Windows device name."""
    if _PLAIN.fullmatch(name) and name.partition(".")[0].upper() not in _DEVICES:
        return name  # the common case, at a fraction of the cost
    cleaned = _UNSAFE.sub("_", name).strip().lstrip(".").rstrip(". ")
    if cleaned.split(".", 1)[0].upper() in _DEVICES:
        cleaned = f"_{cleaned}"
    return cleaned or "_"


def _size(text: str) -> int:
    # Lone surrogates (undecodable bytes) are one byte each on disk.
    return len(os.fsencode(text))


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or _size(ext) >= _MAX_EXTENSION_BYTES:
        return name, ""
    return stem, f".{ext}"


def _cut(text: str, budget: int) -> str:
    """The longest prefix of whole characters that fits ``budget`` bytes."""
    used = 0
    for end, char in enumerate(text):
        used += _size(char)
        if used > budget:
            return text[:end]
    return text


def fit_name(name: str, suffix: str = "") -> str:
    """``name`` with ``suffix`` before its extension, its stem cut (never the extension, never
    inside a character) so that the whole fits :data:`MAX_NAME_BYTES`."""
    if not suffix and len(name) * 4 <= MAX_NAME_BYTES:  # fast path: fits whatever it holds
        return name
    stem, ext = _split_extension(name)
    whole = f"{stem}{suffix}{ext}"
    if _size(whole) <= MAX_NAME_BYTES:
        return whole
    stem = _cut(stem, MAX_NAME_BYTES - _size(suffix + ext)).rstrip(". ") or "_"
    return f"{stem}{suffix}{ext}"


def _keys(name: str) -> tuple[str, ...]:
    """What a case-insensitive (and normalization-insensitive) file system compares."""
    if name.isascii():
        return (name.lower(),)  # casefold, for ASCII
    return (name.casefold(), unicodedata.normalize("NFC", name).casefold())


def unique_names(names: Sequence[str], reserved: Iterable[str] = ()) -> list[str]:
    """Output names for ``names`` (source names bound for one folder, in a fixed order): each
    safe (:func:`safe_name`), fitting (:func:`fit_name`), distinct from the others and from
    ``reserved`` ignoring case. A name keeps its own form if it can: first, every name that
    is the first of its kind claims it (so a source already called ``x~2.JPEG`` keeps it);
    then each later one takes ``stem~2``, ``stem~3``… the first that is free. Deterministic:
    the same names in the same order always give the same result."""
    return plan_names(names, reserved)[0]


def plan_names(names: Sequence[str], reserved: Iterable[str] = ()) -> tuple[list[str], int]:
    """:func:`unique_names`, and how many of them had to be renamed to stay distinct."""
    taken: set[str] = {key for name in reserved for key in _keys(name)}
    wanted = [fit_name(safe_name(name)) for name in names]
    planned: list[str | None] = [None] * len(wanted)
    for position, name in enumerate(wanted):
        if name.isascii():  # one key: the common case, kept cheap
            key = name.lower()
            if key not in taken:
                taken.add(key)
                planned[position] = name
            continue
        keys = _keys(name)
        if not taken.intersection(keys):
            taken.update(keys)
            planned[position] = name
    renamed = 0
    tried: dict[str, int] = {}  # per clashing name, the last number taken: never quadratic
    for position, name in enumerate(wanted):
        if planned[position] is not None:
            continue
        number = tried.get(_keys(name)[0], 1)
        while True:
            number += 1
            candidate = fit_name(name, f"~{number}")
            keys = _keys(candidate)
            if not taken.intersection(keys):
                break
        tried[_keys(name)[0]] = number
        taken.update(keys)
        planned[position] = candidate
        renamed += 1
    return [name for name in planned if name is not None], renamed


# Files the export writes at its top level, beside the split folders.
RESERVED = ("export.json", "manifest.csv", "classes.txt")


def class_folders(classes: Sequence[tuple[int, str, str]], style: str) -> list[str]:
    """Folder names for ``classes`` (index, wnid, name), in their order; ``style`` is "wnid"
    or "wnid_name"."""
    wanted = [wnid if style == "wnid" else f"{wnid}_{name}" for _, wnid, name in classes]
    return unique_names(wanted)


def imagefolder_numbering(
    folders: Iterable[tuple[str, str, int]],
) -> dict[str, list[tuple[str, int]]]:
    """Per split folder, its class folders as ``torchvision.datasets.ImageFolder`` numbers
    them (plain string sort of the names present), each with its index in classes.txt.
    ``folders`` gives (split folder, class folder, classes.txt index) for each class folder
    that holds a file."""
    found: dict[str, dict[str, int]] = {}
    for split, folder, index in folders:
        found.setdefault(split, {})[folder] = index
    return {split: sorted(entries.items()) for split, entries in sorted(found.items())}


def numbering_warnings(numbering: dict[str, list[tuple[str, int]]]) -> list[str]:
    """One warning per split where ImageFolder's index of a class is not classes.txt's (a
    split without some classes, or folder names that sort otherwise than the class list)."""
    warnings = []
    for split, folders in numbering.items():
        indices = [index for _, index in folders]
        if indices == list(range(len(indices))):
            continue
        shown = ", ".join(map(str, indices[:10])) + (", …" if len(indices) > 10 else "")
        warnings.append(
            f"split {split}: ImageFolder numbers its {len(indices)} classes "
            f"0–{len(indices) - 1}, where classes.txt says {shown}; map them with "
            f'export.json["imagefolder_to_class_index"]["{split}"]'
        )
    return warnings
