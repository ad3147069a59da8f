"""ImageNet-21k as shipped: one ``<wnid>.tar`` per synset, read in place.

A shard is listed once (member names, sizes, mtimes and the offset of each member's data)
and never extracted: a thumbnail or a preview reads the member's bytes straight from the tar
at its offset. Members that are not images, not regular files, or whose names are absolute
or climb out with ``..`` are skipped with their reason. A truncated or corrupt shard keeps
the members read before the damage, and says so.
"""

from __future__ import annotations

import io
import os
import tarfile
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from browser.core.hierarchy import is_wnid_shaped

SHARD_SUFFIX = ".tar"


def is_shard_name(name: str) -> bool:
    return name.endswith(SHARD_SUFFIX) and is_wnid_shaped(name[: -len(SHARD_SUFFIX)])


class MemberPath(str):
    """``<shard path>/<member name>``, which is how users see it, carrying where the member's
    bytes lie in the shard. Everything that opens images accepts it in place of a path."""

    container: str
    member: str
    offset: int
    length: int

    def __new__(cls, container: str, member: str, offset: int, length: int) -> MemberPath:
        self = super().__new__(cls, f"{container}/{member}")
        self.container, self.member, self.offset, self.length = container, member, offset, length
        return self


def read_member(path: MemberPath) -> bytes:
    """The member's bytes, read at its offset (no tar parsing, so any thread may call it)."""
    fd = os.open(path.container, os.O_RDONLY)
    try:
        data = os.pread(fd, path.length, path.offset)
    finally:
        os.close(fd)
    if len(data) != path.length:
        raise OSError(f"{path.container} is shorter than its index says (truncated?)")
    return data


def open_image(path: str) -> BinaryIO:
    """A binary file object for an image file or a shard member."""
    if isinstance(path, MemberPath):
        return io.BytesIO(read_member(path))
    return open(path, "rb")  # noqa: SIM115 - the caller closes it


@dataclass
class ShardListing:
    names: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    mtimes: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    damage: str = ""  # why listing stopped early, if it did

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        order = np.argsort(np.array(self.names, dtype=object), kind="stable")
        return (
            np.array(self.sizes, dtype=np.int64)[order],
            np.array(self.mtimes, dtype=np.int64)[order],
            np.array(self.offsets, dtype=np.int64)[order],
        )


def _unsafe(name: str) -> bool:
    return name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/")


def list_shard(path: str, is_image: object) -> ShardListing:
    """Every image member of the tar at ``path``; ``is_image(name)`` decides what is one."""
    listing = ShardListing()
    file_size = os.path.getsize(path)
    try:
        with tarfile.open(path, mode="r:") as shard:
            for member in shard:
                name = member.name
                if _unsafe(name):
                    listing.skipped.append((name, "unsafe member path (absolute or ..)"))
                elif not member.isfile():
                    if not member.isdir():
                        listing.skipped.append((name, "not a regular file"))
                elif os.path.basename(name).startswith("."):
                    listing.skipped.append((name, "hidden file"))
                elif not is_image(name):  # type: ignore[operator]
                    listing.skipped.append((name, "not an image file"))
                elif member.offset_data + member.size > file_size:
                    listing.damage = f"member {name} runs past the end of the file (truncated)"
                    break
                else:
                    listing.names.append(name)
                    listing.sizes.append(member.size)
                    listing.mtimes.append(int(member.mtime) * 1_000_000_000)
                    listing.offsets.append(member.offset_data)
    except (tarfile.TarError, EOFError, OSError) as exc:
        listing.damage = f"truncated or corrupt tar: {exc}"
    return listing
