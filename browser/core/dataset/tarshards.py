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
import shutil
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from browser.core.hierarchy.dag import is_wnid_shaped

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


def copy_image(path: str, dest: str) -> None:
    """Copy an image file, or a shard member out of its tar, to ``dest`` (a new file: an
    existing one is never overwritten). What exporting uses."""
    if isinstance(path, MemberPath):
        data = read_member(path)
        with open(dest, "xb") as out:
            out.write(data)
        return
    with open(path, "rb") as source, open(dest, "xb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    shutil.copystat(path, dest)


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


_BLOCK = 512
_REGULAR = (b"0", b"\0")
_PLAIN_TYPES = frozenset(b"01234567\0")  # the rest (pax, GNU long names, sparse): tarfile


class _Unusual(Exception):
    """A header the fast reader leaves to tarfile."""


def _octal(field: bytes) -> int:
    if field[0] & 0x80:  # GNU base-256 for large numbers
        return int.from_bytes(field[1:], "big")
    text = field.split(b"\0", 1)[0].strip()
    return int(text, 8) if text else 0


def _fast_listing(path: str, is_image: Callable[[str], bool]) -> ShardListing:
    """Read ustar/GNU headers directly: about 6× faster than tarfile's per-member objects
    (42 µs a header here), which made indexing 1000 shards of 1,300 members take a minute."""
    listing = ShardListing()
    fd = os.open(path, os.O_RDONLY)
    try:
        file_size = os.fstat(fd).st_size
        offset = 0
        while offset + _BLOCK <= file_size:
            header = os.pread(fd, _BLOCK, offset)
            if header.count(0) == _BLOCK:
                return listing  # end-of-archive marker
            stored = _octal(header[148:156])
            if stored != sum(header[:148]) + 256 + sum(header[156:]):
                raise _Unusual("checksum")
            kind = header[156]
            if kind not in _PLAIN_TYPES:
                raise _Unusual(chr(kind))
            name = header[:100].split(b"\0", 1)[0]
            if header[257:262] == b"ustar" and header[345] != 0:
                name = header[345:500].split(b"\0", 1)[0] + b"/" + name
            size = _octal(header[124:136])
            data = offset + _BLOCK
            member = name.decode("utf-8", "surrogateescape")
            if _unsafe(member):
                listing.skipped.append((member, "unsafe member path (absolute or ..)"))
            elif bytes([kind]) not in _REGULAR:
                if kind != ord("5"):  # directories are silently fine
                    listing.skipped.append((member, "not a regular file"))
                size = 0 if kind in b"12" else size
            elif os.path.basename(member).startswith("."):
                listing.skipped.append((member, "hidden file"))
            elif not is_image(member):
                listing.skipped.append((member, "not an image file"))
            elif data + size > file_size:
                listing.damage = f"member {member} runs past the end of the file (truncated)"
                return listing
            else:
                listing.names.append(member)
                listing.sizes.append(size)
                listing.mtimes.append(_octal(header[136:148]) * 1_000_000_000)
                listing.offsets.append(data)
            offset = data + (size + _BLOCK - 1) // _BLOCK * _BLOCK
        if offset < file_size or file_size == 0:
            listing.damage = "truncated or corrupt tar: it ends inside a header"
        return listing
    finally:
        os.close(fd)


def list_shard(path: str, is_image: Callable[[str], bool]) -> ShardListing:
    """Every image member of the tar at ``path``; ``is_image(name)`` decides what is one."""
    try:
        return _fast_listing(path, is_image)
    except (_Unusual, ValueError):
        return _tarfile_listing(path, is_image)  # pax, long names, damage: tarfile decides
    except OSError as exc:
        return ShardListing(damage=f"cannot be read: {exc.strerror or exc}")


def _tarfile_listing(path: str, is_image: Callable[[str], bool]) -> ShardListing:
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
                elif not is_image(name):
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
