"""Putting exported images in place: never replacing a file, never losing one silently.

A source that cannot be read (vanished, unreadable, a truncated shard) fails that one file,
with its reason, and the export goes on; a target that cannot be written (a full disk) stops
the export, which ``--resume`` continues. Copies are written under a short temporary name
(``.sb-<hash>.tmp``: a 255-byte source name leaves no room for a longer one) and renamed
into place, so a file that exists is complete.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from browser.core.dataset.tarshards import MemberPath, read_member

if TYPE_CHECKING:
    from browser.core.export.plan import PlannedFile

FAILED = "failed"  # the mode recorded for a file that could not be exported
_TEMPORARY_PREFIX = ".sb-"
# os.link cannot link here (another drive, a file system without hard links, too many
# links): copy instead.
_LINK_FALLBACK = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP)


class UnreadableSource(Exception):
    """The source image cannot be read; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def temporary_name(name: str) -> str:
    """The name a copy to ``name`` is written under until complete: short whatever ``name``
    is, the same for the same name (a resume removes what a crash left), and hidden."""
    return f"{_TEMPORARY_PREFIX}{hashlib.sha1(os.fsencode(name)).hexdigest()[:16]}.tmp"


def copy_image(source: str, dest: str) -> None:
    """Copy an image file, or a shard member out of its tar, to ``dest`` (a new file: an
    existing one is never overwritten). An error reading raises :class:`UnreadableSource`,
    one writing an OSError."""
    if isinstance(source, MemberPath):
        try:
            data = read_member(source)
        except OSError as exc:
            raise UnreadableSource(_reason(exc)) from exc
        with open(dest, "xb") as out:
            out.write(data)
        return
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise UnreadableSource(_reason(exc)) from exc
    with handle, open(dest, "xb") as out:
        while True:
            try:
                chunk = handle.read(1 << 20)
            except OSError as exc:
                raise UnreadableSource(_reason(exc)) from exc
            if not chunk:
                break
            out.write(chunk)
    shutil.copystat(source, dest)


def _check_source(source: str) -> None:
    try:
        os.stat(source)
    except OSError as exc:
        raise UnreadableSource(_reason(exc)) from exc


class Placer:
    """Puts planned files under ``out`` one by one; remembers which folders it made."""

    def __init__(self, out: Path, mode: str, relative_links: bool, resume: bool) -> None:
        self.out, self.mode, self.relative, self.resume = (
            os.fspath(out),
            mode,
            relative_links,
            resume,
        )
        # Plain strings and one syscall per file where possible: Path objects, a mkdir and an
        # exists() per file held hard links at 0.36 of a bare loop.
        self._real: dict[str, str] = {}  # output folder → its real path (for relative links)
        self._placed: Counter[str] = Counter()  # output folder → files in it
        self._claimed: set[str] = set()  # outputs, case folded (as exFAT and NTFS see them)

    def place(self, planned: PlannedFile) -> tuple[str, str]:
        """(mode used, "") or (FAILED, the reason)."""
        claimed = planned.output.casefold()
        if claimed in self._claimed:  # never two files of one export at one name
            return FAILED, f"{planned.output} is also another file's name in this export"
        self._claimed.add(claimed)
        target = os.path.join(self.out, planned.output)
        folder = os.path.dirname(target)
        real = self._real.get(folder)
        if real is None:
            os.makedirs(folder, exist_ok=True)
            real = self._real[folder] = os.path.realpath(folder)
        try:
            try:
                mode = self._place(planned.source, target, real)
            except FileExistsError:
                found = self._placed_before(planned.source, target) if self.resume else None
                if found is None:
                    return FAILED, (
                        f"{planned.output} exists already and is not this export's copy of "
                        "the source (another file with the same name on a drive that "
                        "ignores case?)"
                    )
                mode = found
        except UnreadableSource as exc:
            return FAILED, exc.reason
        except OSError as exc:  # the target's side: say which file, not our temporary name
            if exc.filename is None or os.path.basename(exc.filename).startswith(_TEMPORARY_PREFIX):
                raise OSError(exc.errno, _reason(exc), target) from exc
            raise
        self._placed[folder] += 1
        return mode, ""

    def _place(self, source: str, target: str, real_folder: str) -> str:
        """FileExistsError if something is at ``target`` (it is never replaced)."""
        if self.mode == "symlink" and not isinstance(source, MemberPath):
            absolute = os.path.abspath(source)
            _check_source(absolute)  # a link to nothing is no export
            # Relative to the link's real folder (the output may be reached through a link),
            # not to the current directory.
            link = os.path.relpath(absolute, real_folder) if self.relative else absolute
            os.symlink(link, target)
            return "symlink"
        if self.mode == "hardlink" and not isinstance(source, MemberPath):
            try:
                os.link(source, target)
                return "hardlink"
            except FileExistsError:
                raise
            except OSError as exc:
                if exc.errno not in _LINK_FALLBACK:
                    _check_source(source)
                    raise
        if os.path.lexists(target):  # os.replace below would replace it
            raise FileExistsError(errno.EEXIST, "exists", target)
        partial = os.path.join(os.path.dirname(target), temporary_name(os.path.basename(target)))
        if os.path.lexists(partial):
            os.unlink(partial)  # ours, from an interrupted run
        try:
            copy_image(source, partial)
            os.replace(partial, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            raise
        return "copy"

    def _placed_before(self, source: str, target: str) -> str | None:
        """The mode by which the run this one resumes placed ``target``; None if what is
        there is not the source's (never taken for it)."""
        try:
            if isinstance(source, MemberPath):
                size, mtime = source.length, None
            else:
                facts = os.stat(source)
                size, mtime = facts.st_size, facts.st_mtime
        except OSError as exc:
            raise UnreadableSource(_reason(exc)) from exc
        try:
            found = os.lstat(target)
            same = not isinstance(source, MemberPath) and os.path.samefile(source, target)
        except OSError:  # a link to nothing
            return None
        if same:  # samefile follows a link, as a reader would
            wanted = "symlink" if stat.S_ISLNK(found.st_mode) else "hardlink"
            return wanted if wanted == self.mode else None
        if self.mode == "symlink" and mtime is not None:
            return None
        # A copy has the source's size and (copystat) modification time; 2 s: exFAT's step.
        copied = stat.S_ISREG(found.st_mode) and found.st_size == size
        if mtime is not None and abs(found.st_mtime - mtime) > 2:
            copied = False
        return "copy" if copied else None

    def remove_empty_folders(self) -> None:
        """Folders where every file failed: ImageFolder refuses an empty class folder."""
        for folder in self._real:
            if not self._placed[folder]:
                for empty in (folder, os.path.dirname(folder)):  # the class, then its split
                    with contextlib.suppress(OSError):  # not empty: keep it
                        os.rmdir(empty)
