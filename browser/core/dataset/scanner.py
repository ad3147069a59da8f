"""Walk a dataset's class folders and list their images, surviving whatever the disk holds.

Only names are listed here (``os.scandir`` answers file types from the directory itself, with
no ``stat`` per file); sizes and mtimes come later, from :mod:`browser.core.dataset.statpass`.
A folder whose mtime is unchanged since the previous scan is not listed again: its record is reused,
which is what makes ``scan --refresh`` cost one ``stat`` per folder.

Nothing stops a scan: unreadable or vanished folders, symlink loops, links to themselves,
sockets and non-image files are each recorded with a reason and the walk goes on.

Directory links are looked at only after every folder reachable without one has been listed,
so a folder's real path always wins over a path through a link, whatever order names are
listed in; :mod:`browser.core.dataset.links` decides which links are followed.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from browser.core.dataset.layouts import IMAGE_EXTENSIONS as IMAGES
from browser.core.dataset.layouts import (
    SAME_FOLDER,
    UNMAPPED_LOOSE,
    Skipped,
    Top,
    discover,
    is_image_name,
    join,
    reason_for,
)
from browser.core.dataset.links import refusal
from browser.core.dataset.tarshards import list_shard
from browser.core.hierarchy.dag import Hierarchy

log = logging.getLogger(__name__)


class ScanCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True)
class ScanProgress:
    phase: str  # "listing" (done/total: class folders) or "stat" (done/total: files)
    done: int
    total: int
    images: int
    folder: str = ""  # the folder just listed (relative to the root), to show where it is


ProgressCallback = Callable[[ScanProgress], None]
CancelCheck = Callable[[], bool]


@dataclass
class FolderRecord:
    """One listed folder: its image names (sorted) and what it skipped.

    ``top`` is the class (or unmapped) folder this one lies in; ``label`` is its synset, or -1
    when the images have no synset (``reason`` says why). Names are kept as one bytes blob:
    1.28M Python strings would cost ~100 MB, the blob a third of that. ``sizes``/``mtimes``
    (int64, see browser.core.dataset.index for the special values) travel with a record between
    index and store.
    """

    relpath: str
    top: str
    label: int
    split: str
    mtime_ns: int
    # Image file names, sorted, fs-encoded and NUL-joined (see encode_names); a memoryview
    # into the mapped names of a stored index (browser.core.dataset.columnstore) reads like bytes.
    names: bytes | memoryview
    count: int
    subdirs: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""
    sizes: np.ndarray | None = None
    mtimes: np.ndarray | None = None
    # Set only on records made by browser.core.dataset.labelling from a listed folder whose labels
    # come from a file: one synset per image, and the listed record with the positions of
    # these names in it (file facts are kept, and stored, on that record).
    image_labels: np.ndarray | None = None
    listed_as: tuple[FolderRecord, np.ndarray] | None = None
    # For a tar shard (relpath ends in .tar): where each member's data starts in the file.
    offsets: np.ndarray | None = None


@dataclass
class ScanResult:
    layout: str
    folders: list[FolderRecord]
    problems: list[Skipped]  # folders that could not be read, and top-level non-images
    listed: int = 0  # folders listed from disk
    reused: int = 0  # folders whose previous listing was still valid


# IMAGES, most common first. Each name ends in at most one of these followed by a newline,
# so the counts add up.
_BY_COMMONNESS = ("jpeg", "jpg", "png", "webp", "tif", "tiff", "bmp", "gif")


def _is_visible_image(name: str) -> bool:
    return name[0] != "." and name.rpartition(".")[2].lower() in IMAGES


def _all_images(names: list[str]) -> bool:
    """True if every name is a visible image file, checked without a Python step per name.

    The names are joined once and their extensions counted with C-speed ``str.count``,
    ImageNet's own ``.JPEG`` first (one pass, no lowered copy), then the others, stopping once
    every name is accounted for: on ImageNet's folders this is a fraction of the listing.
    """
    if not names:
        return True
    text = "\n".join(names) + "\n"
    if text.count("\n") != len(names) or text.startswith(".") or "\n." in text or "\0" in text:
        return False  # a name with a newline in it, or a hidden file: look at each
    found = text.count(".JPEG\n")
    if found == len(names):
        return True
    lowered = text.lower()
    found = 0
    for ext in _BY_COMMONNESS:
        found += lowered.count(f".{ext}\n")
        if found == len(names):
            return True
    return False


def _list_folder(path: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Image names, sub-folder names and skipped entries of one folder, each sorted."""
    with os.scandir(path) as listing:
        entries = list(listing)
    # Fast path for the common case, a folder of plain image files: the file type comes from
    # readdir's d_type, and comprehensions keep the per-entry cost near a bare listing's.
    try:
        regular = [e.name for e in entries if e.is_file(follow_symlinks=False)]
    except OSError:  # no d_type here and a file vanished: let the careful loop sort it out
        regular = []
    names = regular if _all_images(regular) else [n for n in regular if _is_visible_image(n)]
    subdirs: list[str] = []
    skipped: list[tuple[str, str]] = []
    # Everything the fast path did not take: folders, links, hidden and non-image files.
    rest = entries if len(names) < len(entries) else []
    taken = set(names) if rest else set()
    for entry in rest:
        name = entry.name
        if name in taken:
            continue
        try:
            if name.startswith("."):
                skipped.append((name, "hidden file or folder"))
            elif is_image_name(name) and entry.is_file():
                names.append(name)  # a symlink to an image
            elif entry.is_dir():
                subdirs.append(name)
            elif entry.is_file():
                skipped.append((name, "not an image file"))
            elif entry.is_symlink():
                skipped.append((name, "broken symlink"))
            else:
                skipped.append((name, "not a regular file"))
        except OSError as exc:  # a symlink loop, or an entry vanishing while we look
            skipped.append((name, reason_for(exc)))
    names.sort()
    subdirs.sort()
    skipped.sort()
    return names, subdirs, skipped


class _Walker:
    def __init__(
        self,
        root: str,
        previous: Mapping[str, FolderRecord],
        cancelled: CancelCheck | None,
    ) -> None:
        self.root = root
        self.previous = previous
        self.cancelled = cancelled
        self.seen: dict[tuple[int, int], str] = {}
        # Directory links met while walking: (relpath, its top, whether reached via a link).
        self.links: list[tuple[str, Top, bool]] = []
        self.folders: list[FolderRecord] = []
        self.problems: list[Skipped] = []
        self.listed = 0
        self.reused = 0
        self.images = 0

    def walk(self, top: Top) -> None:
        """List ``top``'s folders reachable without following a directory link; the links
        met on the way are kept for :meth:`follow_links`."""
        if top.shard:
            record = self._visit_shard(top)
            if record is not None:
                self.folders.append(record)
                self.images += record.count
            return
        self._walk_from(top, top.relpath, via_link=top.via_link, follow=False)

    def follow_links(self) -> None:
        """Follow the directory links met so far where the link policy allows, in path order
        (never in listing order); report the others."""
        while self.links:
            batch = sorted(self.links, key=lambda link: link[0])
            self.links = []
            for relpath, top, via_link in batch:
                reason = refusal(self.root, os.path.join(self.root, relpath), via_link=via_link)
                if reason is not None:
                    self.problems.append(Skipped(relpath, reason))
                    continue
                self._walk_from(top, relpath, via_link=True, follow=True)

    def _walk_from(self, top: Top, start: str, *, via_link: bool, follow: bool) -> None:
        stack = [start]
        while stack:
            if self.cancelled is not None and self.cancelled():
                raise ScanCancelled
            relpath = stack.pop()
            record = self._visit(
                top, relpath, via_link=via_link, follow=follow and relpath == start
            )
            if record is not None:
                self.folders.append(record)
                self.images += record.count
                stack.extend(join(relpath, d) for d in reversed(record.subdirs))

    def _visit_shard(self, top: Top) -> FolderRecord | None:
        """List a tar shard's members in place (see browser.core.dataset.tarshards)."""
        path = os.path.join(self.root, top.relpath)
        try:
            st = os.stat(path)
        except OSError as exc:
            self.problems.append(Skipped(top.relpath, reason_for(exc)))
            return None
        old = self.previous.get(top.relpath)
        if (
            old is not None
            and old.offsets is not None
            and old.mtime_ns == st.st_mtime_ns
            and (old.label, old.split) == (top.label, top.split)
        ):
            self.reused += 1
            return old
        listing = list_shard(path, is_image_name)
        self.listed += 1
        if listing.damage:
            self.problems.append(Skipped(top.relpath, listing.damage))
        sizes, mtimes, offsets = listing.arrays()
        return FolderRecord(
            top.relpath,
            top.relpath,
            top.label,
            top.split,
            st.st_mtime_ns,
            encode_names(sorted(listing.names)),
            len(listing.names),
            [],
            sorted(listing.skipped),
            top.reason,
            sizes,
            mtimes,
            offsets=offsets,
        )

    def _visit(
        self, top: Top, relpath: str, *, via_link: bool, follow: bool
    ) -> FolderRecord | None:
        """List one folder (or reuse its record); a directory link is only noted, unless
        ``follow`` (the policy has let it through)."""
        path = os.path.join(self.root, relpath) if relpath else self.root
        try:
            if not follow and stat.S_ISLNK(os.lstat(path).st_mode):
                self.links.append((relpath, top, via_link))
                return None
            st = os.stat(path)
        except OSError as exc:
            self.problems.append(Skipped(relpath or ".", reason_for(exc)))
            return None
        key = (st.st_dev, st.st_ino)
        if key in self.seen:
            self.problems.append(Skipped(relpath, SAME_FOLDER.format(other=self.seen[key] or ".")))
            return None
        self.seen[key] = relpath
        old = self.previous.get(relpath)
        if (
            old is not None
            and old.mtime_ns == st.st_mtime_ns
            and (old.label, old.top, old.split) == (top.label, top.relpath, top.split)
        ):
            self.reused += 1
            return old
        try:
            names, subdirs, skipped = _list_folder(path)
        except OSError as exc:
            self.problems.append(Skipped(relpath or ".", reason_for(exc)))
            return None
        self.listed += 1
        return FolderRecord(
            relpath,
            top.relpath,
            top.label,
            top.split,
            st.st_mtime_ns,
            encode_names(names),
            len(names),
            subdirs,
            skipped,
            top.reason,
        )


def scan(
    root: str,
    hierarchy: Hierarchy,
    *,
    previous: Mapping[str, FolderRecord] | None = None,
    progress: ProgressCallback | None = None,
    cancelled: CancelCheck | None = None,
    layout_choice: str = "auto",
) -> ScanResult:
    """List every image below ``root``; reuse ``previous`` records of unchanged folders."""
    layout = discover(root, hierarchy, layout_choice)
    walker = _Walker(root, previous or {}, cancelled)
    walker.problems.extend(layout.skipped)
    for folder, split, names in layout.loose:
        walker.folders.append(
            FolderRecord(
                folder,
                folder,
                -1,
                split,
                0,
                encode_names(sorted(names)),
                len(names),
                reason=UNMAPPED_LOOSE,
            )
        )
    for done, top in enumerate(layout.tops, start=1):
        walker.walk(top)
        if progress is not None:
            progress(ScanProgress("listing", done, len(layout.tops), walker.images, top.relpath))
    walker.follow_links()
    walker.folders.sort(key=lambda r: r.relpath)
    log.info(
        "scanned %s: %d folders listed, %d reused, %d problems",
        root,
        walker.listed,
        walker.reused,
        len(walker.problems),
    )
    return ScanResult(layout.name, walker.folders, walker.problems, walker.listed, walker.reused)


def encode_names(names: list[str]) -> bytes:
    """NUL-joined file-system bytes: NUL is the one byte no file name can contain."""
    return os.fsencode("\0".join(names))


def decode_names(blob: bytes | memoryview) -> list[str]:
    return os.fsdecode(bytes(blob)).split("\0") if len(blob) else []
